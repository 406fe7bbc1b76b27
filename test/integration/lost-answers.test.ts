// Writes that land but whose answer is lost, and requests that race a sign-in. On the built handlers,
// through a proxy in front of Sandbox's DynamoDB that cuts a connection after DynamoDB has written
// (aws-lite then retries the write) or holds a call until the test lets it go on.
// Cookie mode makes no DynamoDB call: there the same requests simply work, and the last answer a
// browser gets is the cookie it keeps (see "Concurrent writes" in the README).
import test from 'tape'
import { sign } from 'cookie-signature'
import { start, end, mode, devSecret, ports } from '../helpers/sandbox.ts'
import { event, bodyOf, cookiesSetBy } from '../helpers/lambda.ts'
import { warmLambda, sandboxEnv, sandboxPorts, callsOf, type WarmLambda } from '../helpers/warm-lambda.ts'
import { askHandlers, authenticator, EVENT_ORIGIN, signUp, uniqueName } from '../helpers/passkeys.ts'
import type { RequestOptions } from '../helpers/authenticator.ts'
import { dynamoProxy, type DynamoProxy } from '../helpers/dynamo-proxy.ts'
import { sealSession } from '../helpers/jwe.ts'
import { putRow } from '../helpers/table.ts'
import { randomSecret } from '../helpers/secrets.ts'

let proxied: WarmLambda
let direct: WarmLambda
let proxy: DynamoProxy
// Ada's passkey: the account is made once, and every sign-in below uses it (a name of its own:
// the files before this one share the Sandbox)
const ADA = uniqueName('Ada')
let device = authenticator(EVENT_ORIGIN)

/**
 * Signs in with Ada's passkey from a session's cookie: the challenge through `direct`, the answer
 * through `answerVia` (the proxied Lambda, to lose or hold its writes)
 */
async function signIn (cookie: string, answerVia = direct) {
  let ask = askHandlers(callsOf(direct), cookie)
  let options = await ask('/passkeys/login/options', {})
  let answer = device.get(options.body as unknown as RequestOptions)
  return answerVia.call('post-passkeys-login', event({ method: 'POST', path: '/passkeys/login', cookie: ask.cookie(), json: answer }))
}

/** A visitor's `_idx=…` cookie after counting to `count` and adding `item` to the cart */
async function visitorWith (count: number, item: string): Promise<string> {
  let first = await direct.call('post-count', event({ method: 'POST', path: '/count', json: { by: count } }))
  let cookie = cookiesSetBy(first.response)._idx ?? ''
  let second = await direct.call('post-cart', event({ method: 'POST', path: '/cart', cookie, json: { item } }))
  return cookiesSetBy(second.response)._idx ?? cookie
}

const stateOf = async (lambda: WarmLambda, cookie: string) => bodyOf((await lambda.call('get-index', event({ cookie }))).response)

test('start Sandbox, a warm Lambda whose DynamoDB calls go through the proxy, and one that goes direct', async t => {
  await start(t)
  proxy = await dynamoProxy(ports.tables)
  let secret = await devSecret()
  proxied = warmLambda(sandboxEnv({ ARC_APP_SECRET: secret, ARC_SANDBOX: sandboxPorts(proxy.port) }))
  direct = warmLambda(sandboxEnv({ ARC_APP_SECRET: secret }))
  t.equal((await signUp(askHandlers(callsOf(direct)), device, ADA)).status, 200, 'Ada signed up with a passkey')
})

test('a count whose write landed but whose answer was lost counts once', async t => {
  let cookie = await visitorWith(10, 'tea')
  let callsBefore = proxy.calls().length
  proxy.set({ loseAnswers: 1 })
  let { response } = await proxied.call('post-count', event({ method: 'POST', path: '/count', cookie, json: { by: 1 } }))
  proxy.set({})
  t.equal(response.statusCode, 200, '200')
  t.equal(bodyOf(response).count, 11, 'the answer says 11')
  let next = cookiesSetBy(response)._idx ?? cookie
  t.equal((await stateOf(direct, next)).count, 11, 'and 11 is stored, not 12')
  if (mode === 'table') {
    t.deepEqual(proxy.calls().slice(callsBefore), [ 'GetItem', 'PutItem', 'PutItem', 'GetItem' ], 'the write, aws-lite\'s retry, and one read that finds our own write there')
  }
})

test('a sign-in whose retiring write landed but whose answer was lost keeps the visitor\'s data', async t => {
  let cookie = await visitorWith(5, 'tea')
  proxy.set({ loseAnswers: 1 })
  let { response } = await signIn(cookie, proxied)
  proxy.set({})
  t.equal(response.statusCode, 200, '200')
  t.deepEqual([ bodyOf(response).user, bodyOf(response).count, bodyOf(response).cart ], [ { name: ADA }, 5, [ 'tea' ] ], 'signed in, with the count and the cart')
  let signedIn = cookiesSetBy(response)._idx ?? ''
  let stored = await stateOf(direct, signedIn)
  t.deepEqual([ stored.user, stored.count, stored.cart ], [ { name: ADA }, 5, [ 'tea' ] ], 'and so is what is stored')
  if (mode === 'table') t.equal((await stateOf(direct, cookie)).user, null, 'table mode: the cookie from before sign-in opens nothing')
})

test('a count racing a sign-in on the same cookie answers 409 without a cookie, so the browser stays signed in', async t => {
  let cookie = await visitorWith(3, 'tea')
  let count = (lambda: WarmLambda) => lambda.call('post-count', event({ method: 'POST', path: '/count', cookie, json: { by: 1 } }))
  if (mode === 'table') {
    // The count reads the session, then its write is held until the sign-in is done
    let held = proxy.hold('PutItem')
    let counting = count(proxied)
    await held.arrived
    let signedIn = await signIn(cookie)
    held.release()
    let { response } = await counting
    t.equal(response.statusCode, 409, 'the count: 409')
    t.match(String(bodyOf(response).error), /^Your session changed in another request \(a sign-in or sign-out\) while this one ran, so nothing was changed/, 'with a message')
    t.equal(response.cookies?.length ?? 0, 0, 'and no cookie to replace the signed-in one')
    t.ok(proxied.logs().some(line => line.includes('"event":"session.superseded"')), 'logged as session.superseded')
    let state = await stateOf(direct, cookiesSetBy(signedIn.response)._idx ?? '')
    t.deepEqual([ state.user, state.count ], [ { name: ADA }, 3 ], 'the sign-in stands, with the count it read')
  }
  else {
    let signedIn = await signIn(cookie)
    let { response } = await count(direct)
    t.equal(response.statusCode, 200, 'cookie mode: both answer 200')
    t.equal(bodyOf(response).user, null, 'cookie mode: the count answers with the session it read (whichever answer a browser gets last is the cookie it keeps)')
    t.deepEqual(bodyOf(signedIn.response).user, { name: ADA }, 'and the sign-in with the signed-in one')
  }
})

test('a POST racing the move of a session from before __Host-idx answers 409 without a cookie', async t => {
  let secret = randomSecret()
  let production = { ARC_ENV: 'production', ARC_APP_SECRET: secret }
  let movingProxied = warmLambda(sandboxEnv({ ...production, ARC_SANDBOX: sandboxPorts(proxy.port) }))
  let movingDirect = warmLambda(sandboxEnv(production))
  let data = { count: 2, user: { name: 'Ada', account: 'ada', since: Date.now() }, _owner: 'ada', _handle: 'lost-answers-000' }
  let cookie = `_idx=${sealSession(data, secret)}`
  if (mode === 'table') {
    let id = `race-move-${Date.now()}`
    await putRow({ _idx: id, _secret: 'x', _ttl: Math.floor(Date.now() / 1000) + 3600, _renewed: Date.now(), _version: 1, ...data })
    cookie = `_idx=${encodeURIComponent(sign(id, secret))}`
    let held = proxy.hold('PutItem')
    let counting = movingProxied.call('post-count', event({ method: 'POST', path: '/count', cookie, json: { by: 1 } }))
    await held.arrived
    let moved = await movingDirect.call('get-index', event({ cookie }))
    held.release()
    let { response } = await counting
    t.equal(response.statusCode, 409, 'the POST: 409')
    t.equal(response.cookies?.length ?? 0, 0, 'and no cookie')
    let state = await stateOf(movingDirect, cookiesSetBy(moved.response)['__Host-idx'] ?? '')
    t.deepEqual([ state.user, state.count ], [ { name: 'Ada' }, 2 ], 'the moved session stands')
  }
  else {
    let { response } = await movingDirect.call('post-count', event({ method: 'POST', path: '/count', cookie, json: { by: 1 } }))
    t.equal(response.statusCode, 200, 'cookie mode: the POST moves the session itself')
    t.deepEqual([ bodyOf(response).user, bodyOf(response).count ], [ { name: 'Ada' }, 3 ], 'cookie mode: with its data')
  }
  movingProxied.close()
  movingDirect.close()
})

test('stop the Lambdas, the proxy and Sandbox', async t => {
  proxied.close()
  direct.close()
  await proxy.close()
  await end(t)
})
