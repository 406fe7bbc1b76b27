// Table mode's parts that need no DynamoDB, case by case: which cookie values carry a row id, what
// a row reads as (ours, plain arc.http()'s, expired, or not a session at all; a row is input, never
// a throw), and how one call is held to the request's budget.
import test from 'tape'
import { sign } from 'cookie-signature'
import { bounded } from '../../src/shared/session/deadline.ts'
import { isEndedMarker, recordFromRow, signedId } from '../../src/shared/session/table-store.ts'
import { DeadlineError, ThrottledError } from '../../src/shared/session/store.ts'
import { randomSecret } from '../helpers/secrets.ts'

const SECRET = randomSecret()
const PREVIOUS = randomSecret()
// A whole second, so that "a row whose `_ttl` is now" is exact
const NOW = Math.floor(Date.now() / 1000) * 1000
const IN_AN_HOUR = NOW / 1000 + 3600

test('a cookie value signed with the current secret carries its id, at index 0', t => {
  t.deepEqual(signedId(sign('row-id', SECRET), [ SECRET, PREVIOUS ]), { id: 'row-id', index: 0 }, 'an id signed with the current secret: its index is 0')
  t.end()
})

test('a cookie value signed with the previous secret carries its id, at index 1 (to be re-signed)', t => {
  t.deepEqual(signedId(sign('row-id', PREVIOUS), [ SECRET, PREVIOUS ]), { id: 'row-id', index: 1 }, 'an id signed with the previous secret: its index is 1')
  t.end()
})

test('a cookie value signed with neither secret, unsigned, or tampered with carries no id', t => {
  t.equal(signedId(sign('row-id', randomSecret()), [ SECRET, PREVIOUS ]), null, 'another secret')
  t.equal(signedId('row-id', [ SECRET, PREVIOUS ]), null, 'no signature')
  t.equal(signedId(sign('row-id', SECRET).replace('row-id', 'row-ie'), [ SECRET, PREVIOUS ]), null, 'another id under the signature')
  t.end()
})

test('a row this app wrote reads as its fields, its version and its renewal time', t => {
  let row = { _idx: 'row-id', _secret: 'csrf', _ttl: IN_AN_HOUR, _version: 3, _renewed: NOW - 5000, _since: NOW - 9000, count: 2 }
  t.deepEqual(recordFromRow(row, NOW), {
    record: { count: 2, _renewed: NOW - 5000, _since: NOW - 9000 },
    version: 3,
    expired: false,
  }, 'without the table\'s own attributes (_idx, _secret, _ttl, _version)')
  t.end()
})

test('a row plain arc.http() wrote (no `_version`, no `_renewed`) was renewed a week before its `_ttl`', t => {
  let row = { _idx: 'row-id', _secret: 'csrf', _ttl: IN_AN_HOUR, count: 1 }
  t.deepEqual(recordFromRow(row, NOW), {
    record: { count: 1, _renewed: (IN_AN_HOUR - 604800) * 1000 },
    version: 0,
    expired: false,
  }, 'a row reads as its record, renewed when its _ttl says')
  t.end()
})

test('a `_version` or `_renewed` of another type counts as missing', t => {
  let found = recordFromRow({ _idx: 'row-id', _ttl: IN_AN_HOUR, _version: '3', _renewed: '1' }, NOW)
  t.equal(found?.version, 0, 'version 0: the next write requires the row to be unversioned still')
  t.equal(found?.record._renewed, (IN_AN_HOUR - 604800) * 1000, 'renewed as Architect renews')
  t.end()
})

test('a row whose `_ttl` has come is expired, although DynamoDB has not swept it yet', t => {
  t.equal(recordFromRow({ _idx: 'row-id', _ttl: NOW / 1000 }, NOW)?.expired, true, 'at its `_ttl`')
  t.equal(recordFromRow({ _idx: 'row-id', _ttl: NOW / 1000 - 1 }, NOW)?.expired, true, 'a second after')
  t.equal(recordFromRow({ _idx: 'row-id', _ttl: NOW / 1000 + 1 }, NOW)?.expired, false, 'a second before')
  t.end()
})

test('no row, or a row without a numeric `_ttl`, is no session', t => {
  t.equal(recordFromRow(undefined, NOW), null, 'no row')
  t.equal(recordFromRow({ _idx: 'row-id', count: 1 }, NOW), null, 'no `_ttl`')
  t.equal(recordFromRow({ _idx: 'row-id', _ttl: String(IN_AN_HOUR) }, NOW), null, 'a `_ttl` string')
  t.end()
})

test('an ended session\'s marker is no session, and says so until the session would have ended anyway', t => {
  let marker = { _idx: 'row-id', _ended: true, _version: 0, _ttl: IN_AN_HOUR }
  t.equal(recordFromRow(marker, NOW), null, 'it opens nothing')
  t.equal(isEndedMarker(marker, NOW), true, 'it is an ended session\'s marker')
  t.equal(isEndedMarker({ ...marker, _ttl: NOW / 1000 }, NOW), false, 'not at its `_ttl`, which DynamoDB sweeps late')
  t.equal(isEndedMarker({ ...marker, _ended: 'true' }, NOW), false, 'nor with `_ended` of another type')
  t.equal(isEndedMarker({ _idx: 'row-id', _retired: true, _version: 2, _ttl: IN_AN_HOUR }, NOW), false, 'a sign-in\'s retired row is not one')
  t.equal(isEndedMarker(undefined, NOW), false, 'nor is no row')
  t.end()
})

test('values JSON cannot hold are left out for the schema to default; prototype keys never arrive', t => {
  let row = { _idx: 'row-id', _ttl: IN_AN_HOUR, _renewed: NOW, big: 2n ** 60n, count: 4, cart: { constructor: 1, items: [] }, ['__proto__']: { admin: true } }
  let record: Record<string, unknown> = recordFromRow(row, NOW)?.record ?? {}
  t.deepEqual(Object.keys(record).sort(), [ '_renewed', 'cart', 'count' ], 'no `big`, no `__proto__`')
  t.deepEqual(Object.keys(record.cart as object), [ 'items' ], 'no `constructor`, at any depth')
  t.equal(Object.getPrototypeOf(record), Object.prototype, 'a plain object')
  t.end()
})

/** A call that fails as aws-lite fails: an Error named after DynamoDB's error type */
function failing (name: string) {
  return () => Promise.reject(Object.assign(new Error('refused'), { name }))
}

test('a call with the budget already spent is never made: a DeadlineError at once', async t => {
  let made = false
  let call = bounded(() => Promise.resolve(made = true), performance.now() - 1)
  await call.then(() => t.fail('it answered'), (err: unknown) => {
    t.ok(err instanceof DeadlineError, 'DeadlineError')
    t.equal((err as Error).message, 'the request\'s time budget ran out while waiting for DynamoDB', 'saying so')
  })
  t.equal(made, false, 'and DynamoDB was never called')
})

test('a call that outlasts what is left of the budget: a DeadlineError when the budget ends', async t => {
  let started = performance.now()
  let slow = () => new Promise(resolve => setTimeout(resolve, 1000))
  await bounded(slow, started + 50).then(() => t.fail('it answered'), (err: unknown) => t.ok(err instanceof DeadlineError, 'DeadlineError'))
  let waited = performance.now() - started
  t.ok(waited >= 49 && waited < 1000, `after the 50 ms left, not the call's 1000 (${Math.round(waited)} ms)`)
})

test('throttling, in each of DynamoDB\'s words for it, is a ThrottledError; other errors pass through as they are', async t => {
  t.plan(8)
  for (let name of [ 'ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded' ]) {
    await bounded(failing(name), performance.now() + 1000).catch((err: unknown) => {
      t.ok(err instanceof ThrottledError, `${name}: ThrottledError`)
      t.equal((err as Error).message, `DynamoDB is throttling (${name})`, `${name}: named in the message`)
    })
  }
  await bounded(failing('ValidationException'), performance.now() + 1000).catch((err: unknown) => {
    t.notOk(err instanceof ThrottledError, 'ValidationException: not throttling')
    t.equal((err as Error).name, 'ValidationException', 'ValidationException: the error as it was')
  })
})

test('a call that answers leaves no timer behind', async t => {
  let timers = () => process.getActiveResourcesInfo().filter(kind => kind === 'Timeout').length
  let before = timers()
  t.equal(await bounded(() => Promise.resolve('row'), performance.now() + 1000), 'row', 'its answer')
  await bounded(failing('ThrottlingException'), performance.now() + 1000).catch(() => undefined)
  t.equal(timers(), before, 'and no timer left running, after an answer or an error')
})
