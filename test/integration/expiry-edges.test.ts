// Expiry at the edges, on the built handlers with time moved (see warm-lambda.ts): a short idle
// limit, and sessions plain arc.http() wrote, which carry no sign-in time of their own.
import test from 'tape'
import { sign } from 'cookie-signature'
import { start, end, mode, devSecret } from '../helpers/sandbox.ts'
import { event, bodyOf, setCookieOf } from '../helpers/lambda.ts'
import { warmLambda, sandboxEnv, callsOf, type WarmLambda } from '../helpers/warm-lambda.ts'
import { signedInCookie } from '../helpers/passkeys.ts'
import { seal } from '../helpers/jwe.ts'
import { getRow, putRow } from '../helpers/table.ts'

const MINUTE = 60 * 1000
const DAY = 24 * 60 * MINUTE

test('start Sandbox', start)

/** Reads GET / at `now` and follows any renewed cookie, as a browser would */
async function visit (lambda: WarmLambda, cookie: string, now: number) {
  let { response } = await lambda.call('get-index', event({ cookie }), now)
  return { user: bodyOf(response).user, cookie: setCookieOf(response) || cookie }
}

test('with a 30-minute idle limit, a visitor who reads every 10 minutes stays signed in', async t => {
  let lambda = warmLambda(sandboxEnv({ ARC_APP_SECRET: await devSecret(), ARC_SESSION_TTL: '1800' }))
  let t0 = Date.now()
  let cookie = await signedInCookie(callsOf(lambda, t0), 'Ada')
  for (let minutes = 10; minutes <= 90; minutes += 10) {
    let seen = await visit(lambda, cookie, t0 + minutes * MINUTE)
    t.deepEqual(seen.user, { name: 'Ada' }, `${minutes} minutes in: still signed in`)
    cookie = seen.cookie
  }
  let idle = await visit(lambda, cookie, t0 + (90 + 31) * MINUTE)
  t.equal(idle.user, null, 'after 31 idle minutes: signed out')
  lambda.close()
})

/** A signed-in session the way plain arc.http() stores it: no `_renewed`, no `_since` */
async function architectSession (writtenAt: number): Promise<string> {
  let secret = await devSecret()
  // (with an owner, as every sign-in of this app has: one without is signed out, docs/security.md)
  let data = { user: { name: 'Ada', account: 'ada', since: writtenAt }, _owner: 'ada', _handle: 'expiry-edges-000' }
  if (mode === 'cookie') return `_idx=${seal({ ...data, iat: Math.floor(writtenAt / 1000) }, secret)}`
  let id = `architect-${writtenAt}`
  // Architect's ddb provider sets `_ttl` a week after each write
  await putRow({ _idx: id, _secret: 'x', _ttl: Math.floor(writtenAt / 1000) + 7 * 24 * 3600, ...data })
  return `_idx=${encodeURIComponent(sign(id, secret))}`
}

test('a session plain arc.http() wrote reaches the 30-day limit too, counted from its last write', async t => {
  let lambda = warmLambda(sandboxEnv({ ARC_APP_SECRET: await devSecret() }))
  let t0 = Date.now()
  let cookie = await architectSession(t0)
  for (let day = 2; day <= 28; day += 2) {
    let seen = await visit(lambda, cookie, t0 + day * DAY)
    t.deepEqual(seen.user, { name: 'Ada' }, `day ${day}: signed in, renewed every few days`)
    cookie = seen.cookie
  }
  if (mode === 'table') {
    let row = await getRow(decodeURIComponent(cookie.slice(5)).split('.')[0])
    // Architect keeps whole seconds
    t.equal(row?._since, Math.floor(t0 / 1000) * 1000, 'table mode: the row now stores `_since`: the time of its last write before adoption')
  }
  let late = await visit(lambda, cookie, t0 + 30 * DAY + MINUTE)
  t.equal(late.user, null, 'day 30 and a minute: signed out, however active')
  lambda.close()
})

test('near the 30-day limit, the cookie\'s Max-Age and the row\'s `_ttl` end with the session, not a week later', async t => {
  let lambda = warmLambda(sandboxEnv({ ARC_APP_SECRET: await devSecret() }))
  let t0 = Date.now()
  let cookie = await signedInCookie(callsOf(lambda, t0), 'Ada')
  for (let day of [ 6, 12, 18, 24 ]) cookie = (await visit(lambda, cookie, t0 + day * DAY)).cookie
  let late = await lambda.call('post-count', event({ method: 'POST', path: '/count', cookie, json: { by: 1 } }), t0 + 29.5 * DAY)
  let header = late.response.cookies?.[0] ?? ''
  let maxAge = Number(/Max-Age=(\d+)/.exec(header)?.[1])
  t.ok(maxAge > 0 && maxAge <= DAY / 2 / 1000, `Max-Age is ${maxAge} s: what is left of the 30 days, not 7 days`)
  if (mode === 'table') {
    let row = await getRow(decodeURIComponent(cookie.slice(5)).split('.')[0])
    t.equal(row?._ttl, Math.ceil((t0 + 30 * DAY) / 1000), 'table mode: _ttl is the end of the 30 days, so DynamoDB deletes the row when the session ends')
  }
  lambda.close()
})

test('end Sandbox', end)
