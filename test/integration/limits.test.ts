// Sign-ups and failed passkey answers, limited per visitor's address (src/shared/auth/limits.ts),
// in both modes: over HTTP with the default limits, then in warm Lambdas with low ones, time moved,
// and a fixed `sourceIp`, as API Gateway gives it.
import test from 'tape'
import { createHash } from 'node:crypto'
import arc from '@architect/functions'
import { start, end, ports, devSecret } from '../helpers/sandbox.ts'
import { visitor, JSON_HEADERS } from '../helpers/browser-like.ts'
import { nextAddress } from '../helpers/addresses.ts'
import { event } from '../helpers/lambda.ts'
import { dynamoProxy, type DynamoProxy } from '../helpers/dynamo-proxy.ts'
import { warmLambda, sandboxEnv, sandboxPorts, callsOf, type Route, type WarmLambda } from '../helpers/warm-lambda.ts'
import { askHandlers, authenticator, EVENT_ORIGIN, signIn, signUp, uniqueName } from '../helpers/passkeys.ts'

test('start Sandbox', start)

test('over HTTP: the 11th sign-up from one address in an hour is a 429 with Retry-After; other addresses, page views and counting are not limited', async t => {
  let address = nextAddress()
  let statuses: number[] = []
  for (let i = 0; i < 10; i++) statuses.push((await visitor('', address).post('/passkeys/register/options', { name: uniqueName('Limited') }, JSON_HEADERS)).status)
  t.deepEqual(statuses, Array<number>(10).fill(200), 'ten sign-ups, each from a new session, are allowed (SIGNUP_PER_HOUR is 10 by default)')
  let browser = visitor('', address)
  let refused = await browser.post('/passkeys/register/options', { name: uniqueName('Limited') }, JSON_HEADERS)
  t.equal(refused.status, 429, 'the eleventh is refused with a 429')
  let wait = Number(refused.headers.get('retry-after'))
  t.ok(Number.isInteger(wait) && wait >= 1 && wait <= 3600, `with Retry-After: ${wait} s, until the hour ends`)
  t.equal(refused.json().error, 'Too many sign-ups from your network this hour; try again later', 'and a message')
  t.equal(refused.setCookie, null, 'it starts no session')
  t.equal((await visitor().post('/passkeys/register/options', { name: uniqueName('Elsewhere') }, JSON_HEADERS)).status, 200, 'a visitor from another address still signs up')
  t.equal((await browser.post('/count', { by: 2 }, JSON_HEADERS)).status, 200, 'the limited address still counts')
  t.equal((await browser.get('/', JSON_HEADERS)).json().count, 2, 'and sees its page')
})

// Warm Lambdas with low limits, behind a proxy that lists their DynamoDB calls
const LOW = { SIGNUP_PER_HOUR: '2', AUTH_FAILURES_PER_HOUR: '3' }
const HOUR = 3_600_000
// Ten minutes into an hour that nothing else in this run uses, so each Retry-After is exact
const t0 = (Math.floor(Date.now() / HOUR) + 10) * HOUR + 10 * 60_000
let proxy: DynamoProxy
let lambda: WarmLambda

test('start warm Lambdas with SIGNUP_PER_HOUR=2 and AUTH_FAILURES_PER_HOUR=3', async t => {
  proxy = await dynamoProxy(ports.tables)
  lambda = warmLambda(sandboxEnv({ ARC_APP_SECRET: await devSecret(), ARC_SANDBOX: sandboxPorts(proxy.port), ...LOW }))
  t.pass('started')
})

/** A request from `sourceIp`, whatever X-Forwarded-For it also carries, at `now` */
async function from (sourceIp: string, route: Route, path: string, json: object, now: number) {
  let sent = event({ method: 'POST', path, json, sourceIp })
  sent.headers['x-forwarded-for'] = nextAddress()
  let before = proxy.calls().length
  let { response } = await lambda.call(route, sent, now)
  return { status: Number(response.statusCode), headers: response.headers ?? {}, body: JSON.parse(String(response.body)) as Record<string, unknown>, calls: proxy.calls().slice(before) }
}

test('the limit is the connection\'s address: a new X-Forwarded-For each time does not escape it; the counter row ends with its hour, and the next hour starts again', async t => {
  let address = nextAddress()
  let signUpAt = (now: number) => from(address, 'post-passkeys-register-options', '/passkeys/register/options', { name: uniqueName('Fixed') }, now)
  t.deepEqual([ (await signUpAt(t0)).status, (await signUpAt(t0 + 1000)).status ], [ 200, 200 ], 'two sign-ups')
  let third = await signUpAt(t0 + 2000)
  t.equal(third.status, 429, 'the third, with yet another X-Forwarded-For, is refused')
  t.equal(third.headers['retry-after'], String(50 * 60 - 2), 'Retry-After: the seconds left in the hour')
  t.deepEqual(third.calls, [ 'UpdateItem on limit' ], 'its one DynamoDB call is the counter\'s refused write')
  let key = `signup:${createHash('sha256').update(address).digest('base64url').slice(0, 22)}:${Math.floor(t0 / HOUR)}`
  let row = await (await arc.tables()).limit.get({ key }) as Record<string, unknown> | undefined
  t.deepEqual(row && { count: row.count, _ttl: row._ttl }, { count: 2, _ttl: (Math.floor(t0 / HOUR) + 1) * HOUR / 1000 }, 'the row counts 2 and expires at the hour\'s end; it holds a hash of the address, not the address')
  t.doesNotMatch(JSON.stringify(row), new RegExp(address.replaceAll('.', '\\.')), 'nowhere in the row is the address')
  t.equal((await signUpAt(t0 + 50 * 60_000)).status, 200, 'at the next hour, a sign-up is allowed again')
})

test('failed answers to sign-in and sign-up count together: past AUTH_FAILURES_PER_HOUR, even a right answer is a 429 before any other call; other addresses sign in', async t => {
  let name = uniqueName('Guarded')
  let device = authenticator(EVENT_ORIGIN)
  t.equal((await signUp(askHandlers(callsOf(lambda, t0)), device, name)).status, 200, 'an account, signed up from elsewhere')
  let address = nextAddress()
  let failures = [
    await from(address, 'post-passkeys-login', '/passkeys/login', {}, t0),
    await from(address, 'post-passkeys-register', '/passkeys/register', {}, t0 + 1000),
    await from(address, 'post-passkeys-login', '/passkeys/login', { id: 'bm9wZQ' }, t0 + 2000),
  ]
  t.deepEqual(failures.map(f => f.status), [ 400, 400, 400 ], 'three answers refused as wrong (AUTH_FAILURES_PER_HOUR=3)')

  // The owner's right answer, from that address: options (never limited), then the passkey's answer
  let there = (route: Route, sent: ReturnType<typeof event>) => {
    sent.requestContext.http.sourceIp = address
    return callsOf(lambda, t0 + 3000)(route, sent)
  }
  let right = await signIn(askHandlers(there), device)
  t.equal(right.status, 429, 'the owner\'s right answer, from that address, is refused with a 429')
  t.equal(right.body.error, 'Too many failed passkey answers from your network this hour; try again later', 'with a message')
  let refused = await from(address, 'post-passkeys-login', '/passkeys/login', {}, t0 + 4000)
  t.equal(refused.status, 429, 'and so is the next wrong one')
  t.equal(refused.headers['retry-after'], String(50 * 60 - 4), 'until the hour ends')
  t.deepEqual(refused.calls, [ 'GetItem (eventually consistent) on limit' ], 'its one DynamoDB call reads the count')
  t.equal((await signIn(askHandlers(callsOf(lambda, t0 + 5000)), device)).status, 200, 'the owner signs in from another address')
})

test('wrong recovery codes count as failed answers: past the limit even the right code is a 429 from that address, and it still signs in from another', async t => {
  let name = uniqueName('Coded')
  let signedUp = await signUp(askHandlers(callsOf(lambda, t0)), authenticator(EVENT_ORIGIN), name)
  let code = String(signedUp.body.recoveryCode)
  let address = nextAddress()
  let wrong: number[] = []
  for (let n = 0; n < 3; n++) wrong.push((await from(address, 'post-recover', '/recover', { name, code: 'WRONG-CODE' }, t0 + n * 1000)).status)
  t.deepEqual(wrong, [ 401, 401, 401 ], 'three wrong codes (AUTH_FAILURES_PER_HOUR=3)')
  let right = await from(address, 'post-recover', '/recover', { name, code }, t0 + 3000)
  t.deepEqual([ right.status, right.calls ], [ 429, [ 'GetItem (eventually consistent) on limit' ] ], 'then the right code from that address: 429, after one read')
  t.equal((await from(nextAddress(), 'post-recover', '/recover', { name, code }, t0 + 4000)).status, 200, 'from another address it signs in: the code was not spent')
})

test('close the warm Lambdas and the proxy', async t => {
  lambda.close()
  await proxy.close()
  t.pass('closed')
})

test('end Sandbox', end)
