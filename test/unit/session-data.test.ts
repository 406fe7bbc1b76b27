// How stored data is checked against the app's schema (src/shared/session/data.ts).
import test from 'tape'
import * as v from 'valibot'
import { AppSession } from '../../src/shared/app.ts'
import type { StandardSchemaV1 } from '@standard-schema/spec'
import { checkData, defaultsOf, isPlainObject, parseRecord, splitRecord, type DataSchema } from '../../src/shared/session/data.ts'

test('the defaults are what the schema makes of {}, a fresh copy each time', t => {
  let first = defaultsOf(AppSession)
  t.deepEqual(first, { count: 0, user: null, cart: [] }, 'a new session gets the schema\'s defaults')
  first.cart.push('left over')
  t.deepEqual(defaultsOf(AppSession).cart, [], 'a handler that mutates its defaults cannot change the next visitor\'s')
  t.end()
})

test('a schema that hands out the same default objects every time still gives each request its own, at every depth', t => {
  // As a library whose defaults are values, not functions, does: one instance for every caller
  let shared = { count: 0, cart: [ { item: 'apple', tags: [ 'red' ] } ], prefs: { theme: { dark: false } } }
  let sharing: DataSchema = { '~standard': { version: 1, vendor: 'test', validate: (value: unknown) => ({ value: { ...shared, ...(value as object) } }) } }
  let first = checkData(sharing, {}).data as typeof shared
  first.cart[0].tags.push('left over')
  first.cart.push({ item: 'pear', tags: [] })
  first.prefs.theme.dark = true
  t.deepEqual(shared, { count: 0, cart: [ { item: 'apple', tags: [ 'red' ] } ], prefs: { theme: { dark: false } } }, 'a handler that changes what it was given changes nothing the schema holds')
  t.deepEqual(defaultsOf(sharing), shared, 'so the next visitor starts from the same defaults')
  let when = new Date(0)
  t.equal((checkData(sharing, { when }).data as { when: Date }).when, when, 'a value of no JSON shape (a Date) is passed on as the schema made it')
  t.end()
})

test('a schema with a field that has no default is refused when the route is defined', t => {
  t.throws(() => defaultsOf(v.object({ count: v.optional(v.number(), 0), name: v.string() })), /needs a default.*: name$/)
  t.end()
})

test('only the fields that fail fall back to their defaults; unknown fields are dropped', t => {
  let user = { name: 'Ada', account: 'ada', since: 1, device: 'Chrome on macOS' }
  t.deepEqual(checkData(AppSession, { count: 3, user, cart: 'apple', theme: 'dark' }), { data: { count: 3, user, cart: [] }, reset: [ 'cart' ] }, 'valid fields are kept, a bad one reset, an unknown one dropped')
  t.deepEqual(checkData(AppSession, { count: '3', user: 'Ada', cart: [ 'a' ] }).reset, [ 'count', 'user' ], 'each field of the wrong type is reset, and named')
  t.deepEqual(checkData(AppSession, { count: 3, user: { name: 'Ada', since: 1 } }).reset, [ 'user' ], 'a sign-in from before passkeys (a name, no account) is signed out')
  t.end()
})

test('a rule across fields that fails resets the whole session to its defaults', t => {
  // count must not exceed the cart's length: a rule across fields
  let Linked = v.pipe(
    v.object({ count: v.optional(v.number(), 0), cart: v.optional(v.array(v.string()), []) }),
    v.check(data => data.count <= data.cart.length),
  )
  t.deepEqual(checkData(Linked, { count: 2, cart: [ 'a' ] }), { data: { count: 0, cart: [] }, reset: [ '(all fields)' ] }, 'a schema with a rule across fields resets them all when it fails')
  t.end()
})

/**
 * A schema of any Standard Schema library, written out: it reports the issues given while the
 * input still holds the field each names (an issue naming no field by name, while there is any input), and
 * otherwise fills in the defaults
 */
function reporting (issues: StandardSchemaV1.Issue[], defaults: Record<string, unknown> = { count: 0, cart: [] }): DataSchema {
  let keyOf = (issue: StandardSchemaV1.Issue) => {
    let first = issue.path?.[0]
    return typeof first === 'object' ? first.key : first
  }
  return {
    '~standard': {
      version: 1,
      vendor: 'test',
      validate: (value: unknown) => {
        let input = value as Record<string, unknown>
        if (Object.keys(input).length === 0) return { value: structuredClone(defaults) }
        let standing = issues.filter(issue => {
          let key = keyOf(issue)
          return typeof key !== 'string' || Object.hasOwn(input, key)
        })
        return standing.length ? { issues: standing } : { value: { ...structuredClone(defaults), ...input } }
      },
    },
  }
}

test('valid stored data comes back as it is, with nothing reset', t => {
  let user = { name: 'Ada', account: 'ada', since: 1, device: '' }
  t.deepEqual(checkData(AppSession, { count: 1, user, cart: [] }), { data: { count: 1, user, cart: [] }, reset: [] }, 'valid data is kept whole, with nothing reset')
  t.end()
})

test('issues are matched to fields by their first path item, as a key or as { key }', t => {
  let asKey = checkData(reporting([ { message: 'bad', path: [ 'count' ] } ]), { count: 'x', cart: [] })
  t.deepEqual(asKey.reset, [ 'count' ], 'a plain key')
  let asObject = checkData(reporting([ { message: 'bad', path: [ { key: 'cart' } ] } ]), { count: 1, cart: 5 })
  t.deepEqual(asObject.reset, [ 'cart' ], 'a { key } path item')
  t.end()
})

test('an issue about the whole object, or about no field by name, resets everything, even beside field issues', t => {
  let mixed = checkData(reporting([ { message: 'bad', path: [ 'count' ] }, { message: 'the whole object' } ]), { count: 'x', cart: [] })
  t.deepEqual(mixed, { data: { count: 0, cart: [] }, reset: [ '(all fields)' ] }, 'a record that fails a rule across fields gets the defaults')
  let numbered = checkData(reporting([ { message: 'bad', path: [ 0 ] } ]), { count: 1, cart: [] })
  t.deepEqual(numbered.reset, [ '(all fields)' ], 'a numeric path item names no field')
  t.end()
})

test('a schema that validates asynchronously is refused: session data is read on every request', t => {
  let slow: DataSchema = { '~standard': { version: 1, vendor: 'test', validate: async () => ({ value: {} }) } }
  t.throws(() => defaultsOf(slow), /^TypeError: The session schema must validate synchronously$/)
  t.end()
})

test('a schema without defaults names every field that lacks one', t => {
  t.throws(() => defaultsOf(v.object({ name: v.string(), email: v.string() })), /these have none: name, email$/)
  t.end()
})

test('the wrapper\'s own fields are read with care: each of the right type, or its fallback', t => {
  let meta = (record: Record<string, unknown>) => splitRecord({ _renewed: 1000, ...record }).meta
  let bound = { id: 'h', x: 'x-coordinate', y: 'y-coordinate' }
  t.deepEqual(meta({ _since: 500, _flash: 'hi', _host: true, _aud: 'app/production', _ends: 2000, _owner: 'ada', _handle: 'h', _forget: true, _bound: bound }),
    { renewed: 1000, since: 500, flash: 'hi', host: true, audience: 'app/production', ends: 2000, owner: 'ada', handle: 'h', forget: true, bound }, 'each of the right type, as written')
  let none = { renewed: 1000, since: 1000, flash: null, host: false, audience: null, ends: null, owner: null, handle: null, forget: false, bound: null }
  t.deepEqual(meta({ _since: '500', _flash: 5, _host: 'true', _aud: 7, _ends: '2000', _owner: 1, _handle: [], _forget: 'yes', _bound: 'bound' }), none, 'a wrong type falls back: since to the last renewal, the rest to none')
  for (let shape of [ { id: 'h', x: 'x' }, { id: 'h', x: 'x', y: 7 }, { id: 'h', x: 'x', y: 'not base64url!' }, { id: '!h', x: 'x', y: 'y' }, [ 'h', 'x', 'y' ], null ]) {
    t.equal(meta({ _bound: shape }).bound, null, `a _bound of another shape is no binding: ${JSON.stringify(shape)}`)
  }
  t.deepEqual(meta({}), none, 'a session plain arc.http() wrote has none of them')
  t.deepEqual(splitRecord({ _renewed: 1, _aud: 'x', _ends: 5, _owner: 'a', _handle: 'h', _forget: true, count: 2 }).fields, { count: 2 }, 'and they are not the app\'s fields')
  t.end()
})

test('keys that could reach a prototype never leave the parser, even spelled with escapes', t => {
  let parsed = parseRecord('{"__proto__":{"admin":true},"constructor":1,"a":{"prototype":2,"b":3},"\\u005f_proto__":4}')
  t.deepEqual(Object.keys(parsed ?? {}), [ 'a' ], 'at the top')
  t.deepEqual(parsed?.a, { b: 3 }, 'and inside')
  t.deepEqual(parseRecord('{"count":1}'), { count: 1 }, 'text without them parses as it is')
  t.equal(parseRecord('[1]'), null, 'an array is no record')
  t.equal(parseRecord('{"count":'), null, 'and broken JSON is none either')
  t.end()
})

test('with a schema that keeps unknown fields, a stored `__proto__` or `constructor` still never reaches the data', t => {
  let Loose = v.looseObject({ count: v.optional(v.number(), 0) })
  let { data } = checkData(Loose, parseRecord('{"count":1,"__proto__":{"admin":true},"constructor":{"x":1},"theme":"dark"}') ?? {})
  t.deepEqual(Object.keys(data), [ 'count', 'theme' ], 'an unknown field is kept, the prototype keys are not')
  t.equal(Object.getPrototypeOf(data), Object.prototype, 'the data is a plain object, with no other prototype')
  t.end()
})

test('a rule across fields that fails along with a field resets everything, even where resetting that field alone would satisfy the rule', t => {
  // The rule: count must be a number no larger than the cart's length; it fails whenever count is present and wrong
  let schema: DataSchema = {
    '~standard': {
      version: 1,
      vendor: 'test',
      validate: (value: unknown) => {
        let { count = 0, cart = [] } = value as { count?: unknown, cart?: unknown[] }
        if (typeof count !== 'number') return { issues: [ { message: 'not a number', path: [ 'count' ] }, { message: 'count must not exceed the cart' } ] }
        return { value: { count, cart } }
      },
    },
  }
  t.deepEqual(checkData(schema, { count: 'many', cart: [ 'tea' ] }), { data: { count: 0, cart: [] }, reset: [ '(all fields)' ] }, 'a field of the wrong type under a rule across fields resets them all')
  t.end()
})

test('only a plain object is a record: not null, an array, a string or a number', t => {
  for (let value of [ null, [], 'text', 5, true ]) t.notOk(isPlainObject(value), `${JSON.stringify(value)}: no`)
  t.ok(isPlainObject({}), '{}: yes')
  for (let text of [ 'null', '"text"', '5', 'true' ]) t.equal(parseRecord(text), null, `parseRecord(${text}): null`)
  t.end()
})
