// How stored data is checked against the app's schema (src/shared/session/data.ts).
import test from 'tape'
import * as v from 'valibot'
import { AppSession } from '../../src/shared/app.ts'
import { checkData, defaultsOf } from '../../src/shared/session/data.ts'

test('the defaults are what the schema makes of {}, a fresh copy each time', t => {
  let first = defaultsOf(AppSession)
  t.deepEqual(first, { count: 0, user: null, cart: [] })
  first.cart.push('left over')
  t.deepEqual(defaultsOf(AppSession).cart, [], 'a handler that mutates its defaults cannot change the next visitor\'s')
  t.end()
})

test('a schema with a field that has no default is refused when the route is defined', t => {
  t.throws(() => defaultsOf(v.object({ count: v.optional(v.number(), 0), name: v.string() })), /needs a default.*: name$/)
  t.end()
})

test('only the fields that fail fall back to their defaults; unknown fields are dropped', t => {
  let user = { name: 'Ada', since: 1 }
  t.deepEqual(checkData(AppSession, { count: 3, user, cart: 'apple', theme: 'dark' }), { data: { count: 3, user, cart: [] }, reset: [ 'cart' ] })
  t.deepEqual(checkData(AppSession, { count: '3', user: 'Ada', cart: [ 'a' ] }).reset, [ 'count', 'user' ])
  t.end()
})

test('a rule across fields that fails resets the whole session to its defaults', t => {
  // count must not exceed the cart's length: a rule across fields
  let Linked = v.pipe(
    v.object({ count: v.optional(v.number(), 0), cart: v.optional(v.array(v.string()), []) }),
    v.check(data => data.count <= data.cart.length),
  )
  t.deepEqual(checkData(Linked, { count: 2, cart: [ 'a' ] }), { data: { count: 0, cart: [] }, reset: [ '(all fields)' ] })
  t.end()
})
