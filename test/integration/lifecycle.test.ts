// Expiry and renewal. Time moves through the wrapper's clock, so these call the handlers in this
// process (as a warm Lambda runs them); table mode still uses Sandbox's DynamoDB.
import test from 'tape'
import jwt from 'node-webtokens'
import { sign } from 'cookie-signature'
import { start, end, mode, devSecret, inProcess } from '../helpers/sandbox.ts'
import { event, setCookieOf, bodyOf, type Handler } from '../helpers/lambda.ts'
import { visitor, cookieValue, JSON_HEADERS } from '../helpers/browser-like.ts'
import { getRow, putRow } from '../helpers/table.ts'
import { signedInCookie } from '../helpers/passkeys.ts'
import { clock } from '../../src/shared/session/clock.ts'

const HOUR = 60 * 60 * 1000
const DAY = 24 * HOUR
const realNow = clock.now

let getIndex: Handler
let postCount: Handler

test('start Sandbox and load the handlers in this process', async t => {
  await start(t)
  getIndex = await inProcess('get-index')
  postCount = await inProcess('post-count')
})

/** Runs `fn` with the clock stopped at `at` */
async function at<T> (time: number, fn: () => Promise<T>): Promise<T> {
  clock.now = () => time
  try { return await fn() }
  finally { clock.now = realNow }
}

async function countOnce (time: number): Promise<string> {
  let res = await at(time, () => postCount(event({ method: 'POST', path: '/count', json: { by: 1 } })))
  let cookie = setCookieOf(res)
  if (!cookie) throw new Error('POST /count set no cookie')
  return cookie
}

function rowId (cookie: string): string {
  return cookieValue(cookie).split('.')[0]
}

// With a 7-day idle limit, half of it is 3.5 days: the one-day cap is what applies
test('reads up to a day after the last write cost no write', async t => {
  let t0 = realNow()
  let cookie = await countOnce(t0)
  let before = mode === 'table' ? await getRow(rowId(cookie)) : undefined
  for (let [ after, label ] of [ [ HOUR, 'an hour' ], [ DAY, 'a day' ] ] as const) {
    let res = await at(t0 + after, () => getIndex(event({ cookie })))
    t.equal(bodyOf(res).count, 1, `${label} later: the session`)
    t.equal(setCookieOf(res), null, `${label} later: no new cookie`)
  }
  if (mode === 'table') t.deepEqual(await getRow(rowId(cookie)), before, 'table mode: the row is untouched')
})

test('a read a day and a minute after the last write renews the session', async t => {
  let t0 = realNow()
  let cookie = await countOnce(t0)
  let read = t0 + DAY + 60_000
  let res = await at(read, () => getIndex(event({ cookie })))
  t.equal(bodyOf(res).count, 1, 'the session is read, count 1')
  let renewed = setCookieOf(res)
  t.ok(renewed, 'a fresh cookie is sent')
  if (mode === 'table') {
    t.equal(renewed, cookie, 'table mode: same id')
    let row = await getRow(rowId(cookie))
    t.equal(row?._ttl, Math.ceil(read / 1000) + 7 * 24 * 3600, 'table mode: _ttl moved 7 days past the read')
  }
})

test('an active reader stays signed in past 7 days; 8 idle days end the session', async t => {
  let t0 = realNow()
  let cookie = await countOnce(t0)
  for (let day = 2; day <= 10; day += 2) {
    let res = await at(t0 + day * DAY, () => getIndex(event({ cookie })))
    t.equal(bodyOf(res).count, 1, `day ${day}: still there`)
    cookie = setCookieOf(res) || cookie
  }
  let idle = await at(t0 + 18 * DAY + HOUR, () => getIndex(event({ cookie })))
  t.equal(bodyOf(idle).count, 0, 'after 8 idle days: a fresh session')
  t.equal(setCookieOf(idle), '', 'and the dead cookie is cleared')
})

test('the idle limit is exact: 7 days after the last write still there, a millisecond more and gone', async t => {
  // Half past a whole second, so the row's `_ttl` (whole seconds, rounded up) is not what ends it
  let t0 = Math.floor(realNow() / 1000) * 1000 + 500
  let first = await countOnce(t0)
  let second = await countOnce(t0)
  t.equal(bodyOf(await at(t0 + 7 * DAY, () => getIndex(event({ cookie: first })))).count, 1, 'at 7 days to the millisecond: the session')
  t.equal(bodyOf(await at(t0 + 7 * DAY + 1, () => getIndex(event({ cookie: second })))).count, 0, 'a millisecond later: a fresh one')
})

test('30 days after sign-in the user must sign in again, however active', async t => {
  let t0 = realNow()
  let cookie = await at(t0, () => signedInCookie(async (route, sent) => (await inProcess(route))(sent), 'Ada'))
  for (let day = 2; day <= 30; day += 2) {
    let res = await at(t0 + day * DAY, () => getIndex(event({ cookie })))
    t.deepEqual(bodyOf(res).user, { name: 'Ada' }, `day ${day}: signed in`)
    cookie = setCookieOf(res) || cookie
  }
  let late = await at(t0 + 30 * DAY + HOUR, () => getIndex(event({ cookie })))
  t.equal(bodyOf(late).user, null, 'day 30 and an hour: signed out')
})

if (mode === 'table') {
  test('table mode: a row past its `_ttl` reads as a fresh session, even though DynamoDB still has it', async t => {
    let now = Date.now()
    let id = 'expiredrow00000000000000'
    await putRow({ _idx: id, _secret: 'x', _ttl: Math.floor(now / 1000) - 60, _renewed: now - 3 * DAY, _version: 1, count: 5 })
    let browser = visitor(`_idx=${encodeURIComponent(sign(id, await devSecret()))}`)
    let res = await browser.get('/', JSON_HEADERS)
    t.equal(res.json().count, 0, 'count 0, not 5')
    t.ok(await getRow(id), 'the row is still in the table')
  })
}

if (mode === 'cookie') {
  test('cookie mode: a JWE last renewed 8 days ago reads as a fresh session', async t => {
    let key = Buffer.from((await devSecret()).slice(0, 32)).toString('base64')
    let token = jwt.generate('dir', 'A256GCM', { count: 5, _renewed: Date.now() - 8 * DAY }, key)
    let res = await visitor(`_idx=${token}`).get('/', JSON_HEADERS)
    t.equal(res.json().count, 0, 'count 0, not 5')
  })
}

test('end Sandbox', end)
