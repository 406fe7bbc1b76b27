// What the logs say, read from the built handlers (what Lambda runs) while they meet everything
// the hostile and fault suites throw at them: one JSON line per event, each saying where it
// happened, and none ever holding a cookie, a row id, a signature, a secret or session data.
import test from 'tape'
import { start, end, mode, devSecret, ports } from '../helpers/sandbox.ts'
import { event, cookiesSetBy } from '../helpers/lambda.ts'
import { warmLambda, sandboxEnv, sandboxPorts, type Result, type Route, type WarmLambda } from '../helpers/warm-lambda.ts'
import { askHandlers, authenticator, EVENT_ORIGIN, signIn, signUp, unregistered } from '../helpers/passkeys.ts'
import type { RequestOptions } from '../helpers/authenticator.ts'
import { dynamoProxy, THROTTLED_AS, type DynamoProxy } from '../helpers/dynamo-proxy.ts'
import { seal, sealSession } from '../helpers/jwe.ts'
import { putRow } from '../helpers/table.ts'
import { sign } from 'cookie-signature'
import { randomSecret } from '../helpers/secrets.ts'

const NAME = 'Ada Lovelace-7f3a'
const ITEM = 'A cup of tea-91bc'
const DAY = 24 * 60 * 60 * 1000

let proxy: DynamoProxy
let lambda: WarmLambda
let secret = ''
// Every cookie value sent or set during the test: none may appear in a log line
let cookieValues = new Set<string>()
/** The request that lost every race to write */
let losingEveryRace: Result

async function call (route: Route, cookie: string, json?: object, now?: number) {
  let method = route === 'get-index' ? 'GET' as const : 'POST' as const
  let path = route === 'get-index' ? '/' : `/${route.slice(5)}`
  for (let pair of cookie.split('; ').filter(Boolean)) cookieValues.add(pair.slice(pair.indexOf('=') + 1))
  let { response } = await lambda.call(route, event({ method, path, cookie, json }), now)
  let set = cookiesSetBy(response)._idx
  if (set) cookieValues.add(set.slice(5))
  return set ?? cookie
}

// Every challenge, credential id and public key the passkey flows below saw: none may be logged
let passkeyValues = new Set<string>()

/**
 * Signs up as NAME with a passkey, then is refused three ways (a replayed answer, a counter that
 * went back, an unknown passkey) and signs in again: returns the signed-in cookie
 */
async function passkeyLife (cookie: string): Promise<string> {
  let ask = askHandlers(async (route, sent) => {
    let { response } = await lambda.call(route, sent)
    let body = JSON.parse(String(response.body)) as { challenge?: string }
    if (body.challenge) passkeyValues.add(body.challenge)
    return response
  }, cookie)
  let device = authenticator(EVENT_ORIGIN)
  await signUp(ask, device, NAME)
  let [ credential ] = device.credentials
  passkeyValues.add(credential.id).add(credential.publicKey)
  let options = await ask('/passkeys/login/options', {})
  let answer = device.get(options.body as unknown as RequestOptions)
  await ask('/passkeys/login', answer)
  await ask('/passkeys/login', answer)
  await signIn(ask, device, { counter: 1 })
  await signIn(ask, unregistered(EVENT_ORIGIN))
  await signIn(ask, device)
  return ask.cookie()
}

test('start Sandbox, and a warm Lambda behind a DynamoDB proxy', async t => {
  await start(t)
  secret = await devSecret()
  proxy = await dynamoProxy(ports.tables)
  // A 5-second timeout (a 4-second budget), so the slow-store cases below run out of it quickly
  lambda = warmLambda(sandboxEnv({ ARC_APP_SECRET: secret, ARC_SANDBOX: sandboxPorts(proxy.port), TIMEOUT_MS: '5000' }))
  t.pass('started')
})

test('a visitor\'s whole life, plus everything hostile, with the log captured', async t => {
  // Created, regenerated at sign-in, data, a flash, destroyed at sign-out
  let cookie = await call('post-count', '', { by: 3 })
  cookie = await passkeyLife(cookie)
  cookie = await call('post-cart', cookie, { item: ITEM })
  cookie = await call('post-cart', cookie, { item: '' })
  await call('get-index', cookie)
  let signedIn = cookie
  await call('post-logout', cookie)
  // Expired: another session read 8 days later; rejected: forged, tampered, foreign, signed out
  await call('get-index', await call('post-count', '', { by: 1 }), undefined, Date.now() + 8 * DAY)
  for (let bad of [ `${signedIn}x`, signedIn.slice(0, -6), '_idx=bnVsbA....', `_idx=${seal({ count: 9, _renewed: Date.now() }, randomSecret())}`, '_idx=garbage' ]) {
    await call('get-index', bad)
  }
  // Data of an old shape, which the schema resets
  let oldShape = { count: 'eleven', cart: 'VALUE-NOT-LOGGED' }
  if (mode === 'cookie') await call('get-index', `_idx=${sealSession(oldShape, secret)}`)
  else {
    await putRow({ ...oldShape, _idx: 'old-shape-for-the-log-000', _secret: 'x', _ttl: Math.floor(Date.now() / 1000) + 3600, _renewed: Date.now(), _version: 1 })
    await call('get-index', `_idx=${encodeURIComponent(sign('old-shape-for-the-log-000', secret))}`)
  }
  t.pass('done')
})

test('the same with DynamoDB throttling, slow, or losing every race', async t => {
  let cookie = await call('post-count', '', { by: 1 })
  // Throttled throughout, in each of DynamoDB's three ways; one call slower than the 3 s a call
  // may take; two 2.5 s calls, which outlast the budget; every write losing its race
  let throttled = THROTTLED_AS.map(throttleWith => ({ throttle: Infinity, throttleWith }))
  for (let faults of [ ...throttled, { delayMs: 3500 }, { delayMs: 2500 } ]) {
    proxy.set(faults)
    await call('post-count', cookie, { by: 1 })
  }
  proxy.set({ conflicts: Infinity })
  losingEveryRace = await lambda.call('post-count', event({ method: 'POST', path: '/count', cookie, json: { by: 1 } }))
  proxy.set({})
  t.pass('done')
})

test('every line is one JSON event that says where it happened', async t => {
  let lines = lambda.logs()
  let events = lines.map(line => JSON.parse(line) as Record<string, unknown>)
  t.ok(events.every(e => typeof e.event === 'string' && typeof e.route === 'string' && e.mode === mode),
    `${lines.length} lines, each with event, route and mode`)
  let wrapper = events.filter(e => !String(e.event).startsWith('passkey.'))
  t.ok(wrapper.every(e => /^req-[\d.]+$/.test(String(e.requestId))), 'the wrapper\'s with the request id the Lambda context gave')
  t.ok(events.every(e => typeof e.requestId === 'string' && e.requestId !== ''), 'the passkeys\' with API Gateway\'s (the handler is not given the Lambda context)')
  let seen = new Set(events.map(e => e.event))
  let expected = [ 'session.created', 'session.regenerated', 'session.destroyed', 'session.expired', 'session.rejected', 'session.data_reset', 'passkey.registered', 'passkey.signed_in', 'passkey.refused' ]
  if (mode === 'table') expected.push('store.throttled', 'store.failed', 'deadline.reached', 'conflicts.exhausted')
  t.deepEqual(expected.filter(name => !seen.has(name)), [], `these events were logged: ${expected.join(', ')}`)
})

test('a failing store says what kind of failure it was: throttled, out of time, or gone', async t => {
  let events = lambda.logs().map(line => JSON.parse(line) as Record<string, unknown>)
  let kinds = Object.fromEntries(events.filter(e => String(e.event).startsWith('store.') || e.event === 'deadline.reached').map(e => [ String(e.event), String(e.error) ]))
  if (mode === 'table') {
    t.deepEqual(kinds, { 'store.throttled': 'ThrottledError', 'store.failed': 'StoreError', 'deadline.reached': 'DeadlineError' }, 'each with the kind of error the wrapper named')
    let throttled = events.filter(e => e.event === 'store.throttled').map(e => e.message)
    t.deepEqual(throttled, THROTTLED_AS.map(name => `DynamoDB is throttling (${name})`), 'throttling, however DynamoDB words it, is throttling')
    let failures = events.map(e => String(e.event)).filter(name => /^(store|deadline|conflicts)\./.test(name))
    t.deepEqual(failures, [ 'store.throttled', 'store.throttled', 'store.throttled', 'store.failed', 'deadline.reached', 'conflicts.exhausted' ], 'each fault its own event: a call too slow is the store failing; a budget spent, the deadline')
    let said = (name: string) => events.filter(e => e.event === name).map(e => e.message)
    t.deepEqual(said('store.failed'), [ 'DynamoDB did not answer within 3000 ms' ], 'a call DynamoDB did not answer in time, in those words')
    t.deepEqual(said('deadline.reached'), [ 'the request\'s time budget ran out while waiting for DynamoDB' ], 'a request out of time, in those words')
    let exhausted = events.find(e => e.event === 'conflicts.exhausted')
    t.equal(exhausted?.attempts, 10, 'and losing every race ends after 10 attempts')
    // Nine pauses of a random part of 20, 40, 80, 160, then 250 ms: at most 1550 ms in all, and
    // under 10 ms only about once in ten million runs
    let waited = Number(exhausted?.waitedMs)
    t.ok(waited >= 10 && waited <= 1550, `with pauses that grow to a quarter second between them (${waited} ms in all)`)
    t.ok(losingEveryRace.ms >= waited, `paused for real: the request took ${Math.round(losingEveryRace.ms)} ms`)
  }
  else {
    t.deepEqual(kinds, {}, 'cookie mode has no store to fail')
  }
})

/** Percent-decoded, or as it is: some values sent above were cut mid-escape on purpose */
function decoded (value: string): string {
  try {
    return decodeURIComponent(value)
  }
  catch {
    return value
  }
}

test('no line holds a cookie, a row id, a signature, the secret or session data', async t => {
  let text = lambda.logs().join('\n')
  // A cookie value, and in table mode each of its halves: the row id and its signature
  let parts = [ ...cookieValues ].flatMap(value => mode === 'table' ? [ value, ...decoded(value).split('.') ] : [ value ])
  let leaked = parts.filter(part => part.length >= 8 && text.includes(part))
  t.deepEqual(leaked, [], `none of ${parts.length} cookie values, row ids and signatures`)
  t.notOk(text.includes(secret.slice(0, 16)), 'not the secret')
  for (let value of [ NAME, NAME.toLowerCase(), ITEM, 'VALUE-NOT-LOGGED', 'eleven' ]) t.notOk(text.includes(value), `not the session value ${value}`)
  let passkey = [ ...passkeyValues ]
  t.ok(passkey.length >= 6, `${passkey.length} challenges, credential ids and public keys were seen`)
  t.deepEqual(passkey.filter(value => text.includes(value)), [], 'none of them is in the log')
})

test('a passkey refusal logs a reason of the app\'s own words', async t => {
  let reasons = lambda.logs().map(line => JSON.parse(line) as Record<string, unknown>).filter(e => e.event === 'passkey.refused').map(e => e.reason)
  t.deepEqual(reasons, [ 'no challenge', 'counter did not go up', 'unknown credential' ], 'the replay (its challenge was spent), the counter that went back, the unknown passkey')
})

test('signing out without a session logs nothing: there was nothing to end', async t => {
  let logged = lambda.logs().length
  let { response } = await lambda.call('post-logout', event({ method: 'POST', path: '/logout', json: {} }))
  t.equal(response.statusCode, 200, 'it answers as usual')
  t.deepEqual(lambda.logs().slice(logged), [], 'and logs no line')
})

test('a deployed stage that refuses its secret logs why, without the secret', async t => {
  let refused = warmLambda(sandboxEnv({ ARC_ENV: 'production', ARC_APP_SECRET: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' }))
  await refused.call('get-index', event({}))
  let [ line ] = refused.logs().map(l => JSON.parse(l) as Record<string, string>)
  t.equal(line.event, 'setup.refused', 'setup.refused')
  t.match(line.message, /ARC_APP_SECRET has about \d+ bits of randomness.*Fix it with: npm run setup:env -- production --replace/, 'with the reason and the fix')
  t.notOk(line.message.includes('aaaaaaaa'), 'but not the secret')
  refused.close()
})

test('stop the Lambda, the proxy and Sandbox', async t => {
  lambda.close()
  await proxy.close()
  await end(t)
})
