// Sessions stored in another shape: by an older version of this app, or by plain arc.http().
// Each is bad input today. No route may answer 5xx for it; the fields that fail the schema fall
// back to their defaults, and the rest of the session (a sign-in above all) is kept.
import test from 'tape'
import { sign } from 'cookie-signature'
import { start, end, mode, devSecret } from '../helpers/sandbox.ts'
import { visitor, JSON_HEADERS } from '../helpers/browser-like.ts'
import { sealSession } from '../helpers/jwe.ts'
import { putRow } from '../helpers/table.ts'

interface State { count: unknown, user: unknown, cart: unknown }

const SHAPES: [string, Record<string, unknown>][] = [
  [ 'cart as a string', { count: 2, cart: 'apple' } ],
  [ 'cart of numbers', { count: 2, cart: [ 1, 2 ] } ],
  [ 'cart: null', { count: 2, cart: null } ],
  [ 'user as a string', { count: 2, user: 'Ada' } ],
  [ 'user without a name', { count: 2, user: { since: 1 } } ],
  [ 'a sign-in from before passkeys: a name and no account', { count: 2, user: { name: 'Ada', since: 1 } } ],
  [ 'count as a string', { count: '2' } ],
  [ 'count negative', { count: -5 } ],
  [ 'an unknown extra field', { count: 2, theme: 'dark' } ],
  [ 'a _flash that is not a string', { count: 2, _flash: { html: '<b>' } } ],
  // Own `__proto__` and `prototype` keys, as JSON.parse makes them (aws-lite will not store an own
  // `constructor`; the in-process fuzz tests cover that one)
  [ 'prototype keys', JSON.parse('{ "count": 2, "__proto__": { "user": { "name": "Mallory", "since": 1 } }, "prototype": { "count": 99 } }') as Record<string, unknown> ],
]

let secret = ''
let rows = 0

/** A cookie for a session stored with exactly these fields */
async function storedAs (fields: Record<string, unknown>): Promise<string> {
  if (mode === 'cookie') return `_idx=${sealSession(fields, secret)}`
  let id = `old-shape-${rows++}-${Date.now()}`
  await putRow({ ...fields, _idx: id, _secret: 'x', _ttl: Math.floor(Date.now() / 1000) + 3600, _renewed: Date.now(), _version: 1 })
  return `_idx=${encodeURIComponent(sign(id, secret))}`
}

test('start Sandbox', async t => {
  await start(t)
  secret = await devSecret()
})

for (let [ label, fields ] of SHAPES) {
  test(`a session stored with ${label}: every route answers, and count is a number`, async t => {
    let browser = visitor(await storedAs(fields))
    let page = await browser.get('/', JSON_HEADERS)
    t.equal(page.status, 200, 'GET / answers 200')
    let state = page.json<State>()
    t.equal(typeof state.count, 'number', `count is a number (${String(state.count)})`)
    t.ok(Array.isArray(state.cart), 'cart is a list')
    t.notDeepEqual(state.user, { name: 'Mallory' }, 'nothing comes from a prototype key')

    let count = await browser.post('/count', { by: 1 }, JSON_HEADERS)
    t.equal(count.status, 200, 'POST /count answers 200')
    t.equal(count.json<State>().count, Number(state.count) + 1, 'and adds to the number shown')
    let cart = await browser.post('/cart', { item: 'pear' }, JSON_HEADERS)
    t.equal(cart.status, 200, 'POST /cart answers 200')
    t.deepEqual(cart.json<State>().cart, [ ...state.cart as string[], 'pear' ], 'and adds to the list shown')
    t.equal((await browser.get('/')).status, 200, 'the HTML page renders too')
  })
}

test('a signed-in user whose cart has an old shape stays signed in; only the cart is reset', async t => {
  let browser = visitor(await storedAs({ count: 3, user: { name: 'Ada', account: 'ada', since: Date.now() }, cart: 'apple', _owner: 'ada', _handle: 'old-shapes-00000' }))
  let state = (await browser.get('/', JSON_HEADERS)).json<State>()
  t.deepEqual([ state.user, state.count, state.cart ], [ { name: 'Ada' }, 3, [] ], 'user and count kept, cart reset')
})

test('end Sandbox', end)
