// What each action costs in DynamoDB calls, counted at a proxy in front of Sandbox's DynamoDB, on
// the built handlers. The table in docs/production.md is read here and must match, row for row and
// mode for mode, so it cannot drift from the code. Cookie mode makes no call on sessions, for any of
// them: only the passkey routes call DynamoDB there, for accounts.
import test from 'tape'
import { readFileSync } from 'node:fs'
import { sign } from 'cookie-signature'
import { start, end, mode, devSecret, ports, root } from '../helpers/sandbox.ts'
import { event } from '../helpers/lambda.ts'
import { warmLambda, sandboxEnv, sandboxPorts, callsOf, type Route, type WarmLambda } from '../helpers/warm-lambda.ts'
import { askHandlers, authenticator, EVENT_ORIGIN, signIn, signUp, uniqueName } from '../helpers/passkeys.ts'
import type { CreationOptions, RequestOptions } from '../helpers/authenticator.ts'
import { dynamoProxy, type DynamoFaults, type DynamoProxy } from '../helpers/dynamo-proxy.ts'
import { putRow } from '../helpers/table.ts'
import { challengeOf, dbscClient, registrationOf } from '../helpers/dbsc-client.ts'
import type { APIGatewayProxyEventV2 as Event } from 'aws-lambda'
import { randomSecret } from '../helpers/secrets.ts'
import { FUNCTION_ACCESS } from '../../src/plugins/table-access.js'

const DAY = 24 * 60 * 60 * 1000
let lambda: WarmLambda
let proxy: DynamoProxy
let secret = ''

/** A request, and the cookie it makes (the `_idx=…` pair), as the next request would send it */
async function call (route: Route, request: Event, now?: number): Promise<string> {
  let { response } = await lambda.call(route, request, now)
  return (response.cookies ?? []).find(c => !/Max-Age=0/.test(c))?.split(';')[0] ?? ''
}

const get = (cookie = '', path = '/') => event({ cookie: cookie || undefined, path })
const post = (path: string, json: object, cookie = '') => event({ method: 'POST', path, json, cookie: cookie || undefined })
const form = (path: string, body: string, cookie: string) => ({ ...post(path, {}, cookie), headers: { host: 'localhost:3333', 'content-type': 'application/x-www-form-urlencoded' }, body })

/** A session to start from */
const session = () => call('post-count', post('/count', { by: 1 }))
const none = async () => ''

async function flashed (): Promise<string> {
  let cookie = await session()
  await call('post-count', form('/count', 'by=0', cookie))
  return cookie
}

async function expired (): Promise<string> {
  let id = `expired-${Date.now()}`
  await putRow({ _idx: id, _secret: 'x', _ttl: Math.floor(Date.now() / 1000) - 60, _renewed: Date.now() - 8 * DAY, _version: 1, count: 1 })
  return `_idx=${encodeURIComponent(sign(id, secret))}`
}

// Ada's passkey, registered at the start; and the answer the next passkey request will send
let device = authenticator(EVENT_ORIGIN)
let answer: object = {}

/** A session, holding the challenge of a passkey ceremony, and the device's answer to it */
async function ceremony (path: string, body: object, respond: (options: Record<string, unknown>) => object): Promise<string> {
  let ask = askHandlers(async (route, sent) => (await lambda.call(route, sent)).response, await session())
  let options = await ask(path, body)
  answer = respond(options.body)
  return ask.cookie()
}
const signingUp = () => ceremony('/passkeys/register/options', { name: uniqueName('Grace') }, options => authenticator(EVENT_ORIGIN).create(options as unknown as CreationOptions))
const signingIn = () => ceremony('/passkeys/login/options', {}, options => device.get(options as unknown as RequestOptions))
/** A signed-in session of its own account, holding a fresh check's challenge, and its passkey's answer */
async function checking (): Promise<string> {
  let mine = authenticator(EVENT_ORIGIN)
  let ask = askHandlers(async (route, sent) => (await lambda.call(route, sent)).response)
  await signUp(ask, mine, uniqueName('Checker'))
  let options = await ask('/passkeys/verify/options', {})
  answer = mine.get(options.body as unknown as RequestOptions)
  return ask.cookie()
}
/** A session of its own, and the name and recovery code of an account signed up just now */
async function recovering (): Promise<string> {
  let name = uniqueName('Lost')
  let signedUp = await signUp(askHandlers(async (route, sent) => (await lambda.call(route, sent)).response), authenticator(EVENT_ORIGIN), name)
  answer = { name, code: signedUp.body.recoveryCode }
  return session()
}
async function guessing (): Promise<string> {
  let cookie = await recovering()
  answer = { ...answer, code: 'WRONG-CODE' }
  return cookie
}
// A signed-in session, its invitation to bind, and the key that answers it (test/helpers/dbsc-client.ts)
let bindingKey = dbscClient()
let boundId = ''
let bindingHeaders: Record<string, string> = {}
async function invited (): Promise<string> {
  let calls = async (route: Route, sent: Event) => {
    let { response } = await lambda.call(route, sent)
    let offer = registrationOf(String(response.headers?.['secure-session-registration'] ?? ''))
    if (offer) answer = { challenge: offer.challenge }
    return response
  }
  let ask = askHandlers(calls)
  await signUp(ask, authenticator(EVENT_ORIGIN), uniqueName('Binder'))
  bindingKey = dbscClient()
  bindingHeaders = { 'secure-session-response': bindingKey.register(String((answer as { challenge: string }).challenge)) }
  return ask.cookie()
}
/** A bound session whose bound cookie has lapsed: its session cookie, and the refresh's challenge (asked for already) */
async function lapsed (): Promise<string> {
  let cookie = await invited()
  let { response } = await lambda.call('post-sessions-bind', withHeaders(post('/sessions/bind', {}, cookie), bindingHeaders))
  boundId = (JSON.parse(String(response.body)) as { session_identifier: string }).session_identifier
  let sealed = (response.cookies ?? []).find(c => c.startsWith('_idx='))?.split(';')[0] ?? cookie
  let asked = await lambda.call('post-sessions-bind-refresh', withHeaders(post('/sessions/bind/refresh', {}, sealed), { 'sec-secure-session-id': boundId }))
  let challenge = challengeOf(String(asked.response.headers?.['secure-session-challenge']))?.challenge ?? ''
  bindingHeaders = { 'sec-secure-session-id': boundId, 'secure-session-response': bindingKey.refresh(challenge) }
  return sealed
}
async function lapsedAsking (): Promise<string> {
  let cookie = await lapsed()
  bindingHeaders = { 'sec-secure-session-id': boundId }
  return cookie
}
const withHeaders = (sent: Event, headers: Record<string, string>) => ({ ...sent, headers: { ...sent.headers, ...headers } })
const signingInElsewhere = () => ceremony('/passkeys/login/options', {}, options => device.get(options as unknown as RequestOptions, { origin: 'https://evil.example' }))

// An account of its own for each row that needs one: what this warm Lambda has read for an
// owner (cookie mode's "signed out before") must not carry over from one row to the next
let otherHandle = ''
// The passkey the last such account signed up with
let lastPasskey = ''

/** A fresh account signed in on `devices` devices; the first one's cookie, and another's handle */
async function owned (devices = 1, readOnce = false): Promise<string> {
  let device = authenticator(EVENT_ORIGIN)
  let calls = async (route: Route, sent: Event) => (await lambda.call(route, sent)).response
  let first = askHandlers(calls)
  await signUp(first, device, uniqueName('Owner'))
  lastPasskey = device.credentials[0].id
  for (let n = 1; n < devices; n++) {
    let other = askHandlers(calls)
    await signIn(other, device)
    if (mode === 'table') otherHandle = ((await lambda.call('get-sessions', event({ cookie: other.cookie() }))).response.body ?? '').match(/"handle":"([\w-]+)","current":true/)?.[1] ?? ''
  }
  if (readOnce) await call('get-index', get(first.cookie()))
  return first.cookie()
}
const signedIn = () => owned()
const signedInAndSeen = () => owned(1, true)
const twoDevices = () => owned(2)

const forged = async () => `_idx=${encodeURIComponent(sign('forged-id-0000000000000', randomSecret()))}`

interface Action {
  /** Makes the cookie the visitor arrives with; its calls are not counted */
  before: () => Promise<string>
  /** The request counted */
  request: (cookie: string) => Parameters<typeof call>
  /** Faults for the proxy to apply to that request */
  faults?: DynamoFaults
}

// Each row of the table: the cookie the visitor arrives with, and what they do
const ACTIONS: [string, Action][] = [
  [ 'A page view without a session', { before: none, request: () => [ 'get-index', get() ] } ],
  [ 'A page view with a session', { before: session, request: cookie => [ 'get-index', get(cookie) ] } ],
  [ 'A renewal: a page view over a day after the last write (or half the idle limit, if less)', { before: session, request: cookie => [ 'get-index', get(cookie), Date.now() + 4 * DAY ] } ],
  [ 'Count, starting a session', { before: none, request: () => [ 'post-count', post('/count', { by: 1 }) ] } ],
  [ 'Count, with a session', { before: session, request: cookie => [ 'post-count', post('/count', { by: 1 }, cookie) ] } ],
  [ 'Add to the cart, with a session', { before: session, request: cookie => [ 'post-cart', post('/cart', { item: 'tea' }, cookie) ] } ],
  [ 'Passkey options, a new visitor: a session that ends with its challenge', { before: none, request: () => [ 'post-passkeys-login-options', post('/passkeys/login/options', {}) ] } ],
  [ 'Passkey sign-up options, with a session', { before: session, request: cookie => [ 'post-passkeys-register-options', post('/passkeys/register/options', { name: uniqueName('Ada') }, cookie) ] } ],
  [ 'Sign up: the passkey checked, the account made, a new identity', { before: signingUp, request: cookie => [ 'post-passkeys-register', post('/passkeys/register', answer, cookie) ] } ],
  [ 'Sign in: the passkey checked and its use counted, a new identity', { before: signingIn, request: cookie => [ 'post-passkeys-login', post('/passkeys/login', answer, cookie) ] } ],
  [ 'A refused passkey answer: the challenge is spent, the failure counted', { before: signingInElsewhere, request: cookie => [ 'post-passkeys-login', post('/passkeys/login', answer, cookie) ] } ],
  [ 'A fresh check: the passkey checked and its use counted, the same identity', { before: checking, request: cookie => [ 'post-passkeys-verify', post('/passkeys/verify', answer, cookie) ] } ],
  [ 'A signed-in page view: the first in a minute for this account on a warm Lambda', { before: signedIn, request: cookie => [ 'get-index', get(cookie) ] } ],
  [ 'A signed-in page view, again within that minute', { before: signedInAndSeen, request: cookie => [ 'get-index', get(cookie) ] } ],
  [ 'List your sessions (two devices)', { before: twoDevices, request: cookie => [ 'get-sessions', get(cookie, '/sessions') ] } ],
  [ 'Your passkeys (`GET /passkeys`)', { before: signedIn, request: cookie => [ 'get-passkeys', get(cookie, '/passkeys') ] } ],
  [ 'Rename a passkey', { before: signedIn, request: cookie => [ 'post-passkeys-rename', post('/passkeys/rename', { id: lastPasskey, name: 'Renamed' }, cookie) ] } ],
  [ 'Remove a passkey (its account\'s only one: 409)', { before: signedIn, request: cookie => [ 'post-passkeys-remove', post('/passkeys/remove', { id: lastPasskey }, cookie) ] } ],
  [ 'Sign in with a recovery code: the code checked and replaced, a new identity', { before: recovering, request: cookie => [ 'post-recover', post('/recover', answer, cookie) ] } ],
  [ 'A wrong recovery code: the failure counted', { before: guessing, request: cookie => [ 'post-recover', post('/recover', answer, cookie) ] } ],
  [ 'A new recovery code (`POST /recover/new`)', { before: signedIn, request: cookie => [ 'post-recover-new', post('/recover/new', {}, cookie) ] } ],
  [ 'Bind a session to its device (`POST /sessions/bind`): the challenge spent', { before: invited, request: cookie => [ 'post-sessions-bind', withHeaders(post('/sessions/bind', {}, cookie), bindingHeaders) ] } ],
  [ 'A bound session\'s refresh, asked without an answer: the challenge (`403`)', { before: lapsedAsking, request: cookie => [ 'post-sessions-bind-refresh', withHeaders(post('/sessions/bind/refresh', {}, cookie), bindingHeaders) ] } ],
  [ 'A bound session\'s refresh, answered: the challenge spent, a new bound cookie', { before: lapsed, request: cookie => [ 'post-sessions-bind-refresh', withHeaders(post('/sessions/bind/refresh', {}, cookie), bindingHeaders) ] } ],
  [ 'Your activity (`GET /activity`)', { before: signedIn, request: cookie => [ 'get-activity', get(cookie, '/activity') ] } ],
  [ 'End one of your sessions (two devices; cookie mode cannot: 409)', { before: twoDevices, request: cookie => [ 'post-sessions-end', post('/sessions/end', { handle: otherHandle || 'cookie-mode-has-none' }, cookie) ] } ],
  [ 'Sign out everywhere else (two devices)', { before: twoDevices, request: cookie => [ 'post-logout-others', post('/logout/others', {}, cookie) ] } ],
  [ 'Sign out everywhere (two devices)', { before: twoDevices, request: cookie => [ 'post-logout-everywhere', post('/logout/everywhere', {}, cookie) ] } ],
  [ 'Sign out', { before: session, request: cookie => [ 'post-logout', post('/logout', {}, cookie) ] } ],
  [ 'Sign out, without a session', { before: none, request: () => [ 'post-logout', post('/logout', {}) ] } ],
  [ 'A form error, with a session: the message is stored', { before: session, request: cookie => [ 'post-count', form('/count', 'by=0', cookie) ] } ],
  [ 'The page that shows that message, once', { before: flashed, request: cookie => [ 'get-index', get(cookie) ] } ],
  [ 'A `400` for a JSON client, with a session', { before: session, request: cookie => [ 'post-count', post('/count', { by: 0 }, cookie) ] } ],
  [ 'Count, losing one race: a conflict retry', { before: session, request: cookie => [ 'post-count', post('/count', { by: 1 }, cookie) ], faults: { conflicts: 1 } } ],
  [ 'A forged cookie', { before: forged, request: cookie => [ 'get-index', get(cookie) ] } ],
  [ 'An expired cookie (its row past `_ttl`, not yet swept)', { before: expired, request: cookie => [ 'get-index', get(cookie) ] } ],
]

/** How the table in docs/production.md writes a list of calls: counts by operation, or "none" */
function written (calls: string[]): string {
  let order = [ '', ' on account', ' on passkey', ' on limit', ' on activity' ].flatMap(table => [ 'GetItem', 'GetItem (eventually consistent)', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem' ].map(op => op + table))
  let counted = order.map(op => [ op, calls.filter(c => c === op).length ] as const).filter(([ , n ]) => n > 0)
  let others = calls.filter(c => !order.includes(c))
  return [ ...counted.map(([ op, n ]) => `${n} ${op}`), ...others ].join(' + ') || 'none'
}

/** The rows of the cost table in docs/production.md: action → this mode's calls */
function documented (): Map<string, string> {
  let doc = readFileSync(`${root}docs/production.md`, 'utf8')
  let table = doc.slice(doc.indexOf('| action | table mode | cookie mode |'))
  let rows = table.split('\n').slice(2).filter(line => line.startsWith('| '))
  return new Map(rows.map(line => line.split('|').map(cell => cell.trim())).map(cells => [ cells[1], mode === 'table' ? cells[2] : cells[3] ]))
}

test('start Sandbox, and a warm Lambda whose DynamoDB calls are counted at a proxy', async t => {
  await start(t)
  secret = await devSecret()
  proxy = await dynamoProxy(ports.tables)
  lambda = warmLambda(sandboxEnv({ ARC_APP_SECRET: secret, ARC_SANDBOX: sandboxPorts(proxy.port) }))
  t.equal((await signUp(askHandlers(callsOf(lambda)), device, uniqueName('Ada'))).status, 200, 'Ada signed up with a passkey')
})

test(`each action costs what docs/production.md says (${mode} mode)`, async t => {
  let doc = documented()
  t.deepEqual([ ...doc.keys() ], ACTIONS.map(([ action ]) => action), 'the documented rows are exactly the actions counted here')
  let denied: string[] = []
  for (let [ action, { before, request, faults } ] of ACTIONS) {
    let cookie = await before()
    let from = proxy.calls().length
    proxy.set(faults ?? {})
    let [ route ] = request(cookie)
    await call(...request(cookie))
    let calls = proxy.calls().slice(from)
    t.equal(written(calls), doc.get(action), `${action}: ${written(calls)}`)
    denied.push(...calls.filter(made => !allowed(route, made)).map(made => `${route}: ${made}`))
  }
  proxy.set({})
  t.deepEqual(denied, [], 'and every call each route made is one its deployed role allows (src/plugins/table-access.js)')
})

/** Whether the role table-access gives a route's function allows a call as the proxy wrote it ("GetItem on account") */
function allowed (route: Route, made: string): boolean {
  let fn = route.split('-').map(word => word[0].toUpperCase() + word.slice(1)).join('') + 'HTTPLambda'
  let [ operation ] = made.split(' ')
  let table = made.endsWith(' on account') ? 'AccountTable' : made.endsWith(' on passkey') ? 'PasskeyTable' : made.endsWith(' on limit') ? 'LimitTable' : made.endsWith(' on activity') ? 'ActivityTable' : 'SessionTable'
  let access: Partial<Record<string, string[]>> = FUNCTION_ACCESS[fn] ?? {}
  return access[table]?.includes(`dynamodb:${operation}`) ?? false
}

test('stop the Lambda, the proxy and Sandbox', async t => {
  lambda.close()
  await proxy.close()
  await end(t)
})
