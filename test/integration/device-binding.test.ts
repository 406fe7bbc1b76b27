// Device-bound sessions (W3C DBSC; src/shared/session/binding.ts, src/shared/auth/binding.ts), in
// both modes: over HTTP against Sandbox with a software DBSC client (test/helpers/dbsc-client.ts),
// and built handlers in a warm Lambda where time must move.
import test from 'tape'
import { readFileSync } from 'node:fs'
import { start, end, devSecret, mode, appDir } from '../helpers/sandbox.ts'
import { cookieValue, visitor, JSON_HEADERS, type Reply, type Visitor } from '../helpers/browser-like.ts'
import { readLogLines } from '../helpers/log-lines.ts'
import { askOver, authenticator, EVENT_ORIGIN, SANDBOX_ORIGIN, signIn, uniqueName } from '../helpers/passkeys.ts'
import type { CreationOptions } from '../helpers/authenticator.ts'
import { challengeOf, dbscClient, registrationOf, type DbscClient } from '../helpers/dbsc-client.ts'
import { event, cookiesSetBy } from '../helpers/lambda.ts'
import { warmLambda, sandboxEnv, type Route, type WarmLambda } from '../helpers/warm-lambda.ts'

const CONFIG = (id: string) => ({
  session_identifier: id, refresh_url: '/sessions/bind/refresh', scope: { include_site: false },
  credentials: [ { type: 'cookie', name: '_bound', attributes: 'Path=/; HttpOnly; SameSite=Lax' } ],
})

/** The `_bound=value` pair an answer sets, '' where it clears it, or null */
const boundSetBy = (reply: Reply) => {
  let header = reply.headers.getSetCookie().find(cookie => cookie.startsWith('_bound='))
  return header === undefined ? null : /Max-Age=0/.test(header) ? '' : header.split(';')[0]
}
const withBound = (browser: Visitor, bound: string) => ({ ...JSON_HEADERS, cookie: [ browser.cookie, bound ].filter(Boolean).join('; ') })
const state = async (browser: Visitor, bound = '') => (await browser.get('/', withBound(browser, bound))).json<{ user: { name: string } | null, count: number }>()

/** Signs up a new account in a new browser: the answer, with its invitation to bind */
async function signedUp () {
  let browser = visitor()
  let name = uniqueName('Bound')
  let device = authenticator(SANDBOX_ORIGIN)
  let options = await askOver(browser)('/passkeys/register/options', { name })
  let answer = await browser.post('/passkeys/register', device.create(options.body as unknown as CreationOptions), JSON_HEADERS)
  return { browser, name, device, answer, offer: registrationOf(answer.headers.get('secure-session-registration')) }
}

const bindWith = (browser: Visitor, token: string) => browser.post('/sessions/bind', '', { ...JSON_HEADERS, 'secure-session-response': token })

/** A signed-in browser whose session is bound to `key`: its bound cookie and the session's id */
async function boundBrowser (key: DbscClient = dbscClient()) {
  let { browser, name, device, offer } = await signedUp()
  let bound = await bindWith(browser, key.register(offer?.challenge ?? ''))
  return { browser, name, device, key, reply: bound, cookie: boundSetBy(bound) ?? '', id: bound.json<{ session_identifier: string }>().session_identifier }
}

const refreshWith = (browser: Visitor, id: string, token?: string) => browser.post('/sessions/bind/refresh', '', {
  ...JSON_HEADERS, 'sec-secure-session-id': id, ...(token ? { 'secure-session-response': token } : {}),
})

test('start Sandbox', start)

test('the answer that signs a session in invites the browser to bind it; no other answer does', async t => {
  let { browser, device, answer, offer } = await signedUp()
  t.equal(answer.status, 200, 'signed up')
  t.deepEqual(offer && { path: offer.path, challenge: /^\d{13}\.[\w-]{16}\.[\w-]{43}$/.test(offer.challenge) }, { path: '/sessions/bind', challenge: true },
    'Secure-Session-Registration: (ES256);path="/sessions/bind";challenge="…", a challenge with its expiry, 96 random bits and a MAC')
  let other = visitor()
  let options = await askOver(other)('/passkeys/login/options', {})
  let signedIn = await other.post('/passkeys/login', device.get(options.body as never), JSON_HEADERS)
  t.ok(registrationOf(signedIn.headers.get('secure-session-registration')), 'a passkey sign-in invites too')
  for (let [ label, reply ] of [
    [ 'GET /', await browser.get('/', JSON_HEADERS) ], [ 'POST /count', await browser.post('/count', { by: 1 }, JSON_HEADERS) ],
    [ 'GET / without a session', await visitor().get('/', JSON_HEADERS) ], [ 'sign-in options', await visitor().post('/passkeys/login/options', {}, JSON_HEADERS) ],
  ] as const) t.equal(reply.headers.get('secure-session-registration'), null, `${label}: no invitation`)
  t.deepEqual((await state(browser)).user !== null, true, 'a session that is never bound works as before, with no bound cookie (a browser without DBSC)')
  let listed = (await browser.get('/sessions', JSON_HEADERS)).json<{ sessions: { current: boolean, bound: boolean }[] }>().sessions
  t.deepEqual(listed.filter(s => s.current).map(s => s.bound), [ false ], 'and "Your sessions" says it is not bound')
})

test('binding: the proof of a new key answers 200 with the session configuration and sets the bound cookie; then every request needs that cookie', async t => {
  let { browser, name, reply, cookie, id } = await boundBrowser()
  t.equal(reply.status, 200, 'POST /sessions/bind: 200')
  t.deepEqual(reply.json(), CONFIG(id), 'the draft\'s session configuration: session_identifier, refresh_url, scope, one cookie credential')
  t.match(id, /^[\w-]{16}$/, 'the session is known by its handle')
  let header = reply.headers.getSetCookie().find(c => c.startsWith('_bound=')) ?? ''
  t.match(header, /^_bound=\d{13}\.[\w-]{43}; Max-Age=600; Path=\/; HttpOnly; SameSite=Lax$/, 'the bound cookie: its expiry and a MAC, Max-Age=SESSION_BOUND_SECONDS, HttpOnly')
  await browser.post('/count', { by: 4 }, withBound(browser, cookie))
  let page = await state(browser, cookie)
  t.deepEqual([ page.user, page.count ], [ { name }, 4 ], 'with the bound cookie: signed in, counting')

  let listed = (await browser.get('/sessions', withBound(browser, cookie))).json<{ sessions: { current: boolean, bound: boolean }[] }>().sessions
  t.deepEqual(listed.filter(s => s.current).map(s => s.bound), [ true ], '"Your sessions" says this one is bound to its device')

  let thief = visitor(browser.cookie)
  let logs = readLogLines()
  let seen = await state(thief)
  logs.stop()
  let unbound = logs.lines().filter(line => line.includes('"event":"session.unbound"'))
  t.ok(unbound.length === 1 && unbound[0].includes(`"handle":"${id}"`) && !unbound[0].includes(cookieValue(browser.cookie).slice(0, 20)), 'the wrapper logs session.unbound, a warning, with the session\'s handle and no cookie')
  t.deepEqual([ seen.user, seen.count ], [ null, 0 ], 'the session cookie alone: answered as a new visitor (no user, no count)')
  let counted = await thief.post('/count', { by: 50 }, JSON_HEADERS)
  t.deepEqual([ counted.status, counted.setCookie ], [ 200, null ], 'a count sent with it alone: answered, with no cookie')
  let extended = `_bound=${String(Date.now() + 3_600_000)}.${cookie.split('.')[1]}`
  t.equal((await state(browser, extended)).user, null, 'a bound cookie with its expiry moved an hour later: refused (the MAC covers it)')
  let after = await state(browser, cookie)
  t.deepEqual([ after.user, after.count ], [ { name }, 4 ], 'and the key holder\'s session is as it was: nothing the copy did was kept')
})

test('refused bindings: a 4xx each, and the session stays signed in and unbound', async t => {
  let { browser, offer } = await signedUp()
  let key = dbscClient()
  let challenge = offer?.challenge ?? ''
  let otherSession = await signedUp()
  let refusals: [string, string, number][] = [
    [ 'no Secure-Session-Response', '', 400 ],
    [ 'not a JWT', 'garbage', 400 ],
    [ 'alg none', key.register(challenge, { alg: 'none' }), 400 ],
    [ 'alg RS256', key.register(challenge, { alg: 'RS256' }), 400 ],
    [ 'typ JWT', key.register(challenge, { typ: 'JWT' }), 400 ],
    [ 'another visitor\'s challenge', key.register(otherSession.offer?.challenge ?? ''), 400 ],
    [ 'a made-up challenge', key.register(`${Date.now() + 60_000}.AAAAAAAAAAAAAAAA.${'A'.repeat(43)}`), 400 ],
    [ 'signed by another key than the one it carries', key.register(challenge, { carry: dbscClient() }), 401 ],
    [ 'the right answer, after that wrong one spent the challenge', key.register(challenge), 400 ],
  ]
  for (let [ label, token, status ] of refusals) {
    let reply = token ? await bindWith(browser, token) : await browser.post('/sessions/bind', '', JSON_HEADERS)
    t.deepEqual([ reply.status, typeof reply.json().error, boundSetBy(reply) ], [ status, 'string', null ], `${label}: ${status} with a message, no bound cookie`)
  }
  t.notEqual((await state(browser)).user, null, 'still signed in, and without a bound cookie: the session is unbound')
  t.equal((await visitor().post('/sessions/bind', '', { ...JSON_HEADERS, 'secure-session-response': key.register(challenge) })).status, 401, 'signed out: 401')
  let bound = await boundBrowser()
  let twice = await bound.browser.post('/sessions/bind', '', { ...withBound(bound.browser, bound.cookie), 'secure-session-response': bound.key.register(challenge) })
  t.equal(twice.status, 409, 'a session bound already (with its cookie): 409')
})

test('refresh: a 403 with a challenge; the key holder\'s answer gets a new bound cookie; another key, a replay and another session\'s challenge are refused', async t => {
  let { browser, key, id, name } = await boundBrowser()
  let asked = await refreshWith(browser, id)
  let challenge = challengeOf(asked.headers.get('secure-session-challenge'))
  t.deepEqual([ asked.status, challenge?.id ], [ 403, id ], 'without an answer: 403, Secure-Session-Challenge: "<challenge>";id="<session_identifier>"')
  let answer = key.refresh(challenge?.challenge ?? '')
  let refreshed = await refreshWith(browser, id, answer)
  let cookie = boundSetBy(refreshed) ?? ''
  t.deepEqual([ refreshed.status, refreshed.json() ], [ 200, CONFIG(id) ], 'signed by the session\'s key: 200 and the configuration')
  t.match(cookie, /^_bound=\d{13}\.[\w-]{43}$/, 'and a new bound cookie')
  t.ok(challengeOf(refreshed.headers.get('secure-session-challenge')), 'with the next refresh\'s challenge already')
  t.deepEqual((await state(browser, cookie)).user, { name }, 'which keeps the key holder signed in')

  let replay = await refreshWith(browser, id, answer)
  t.deepEqual([ replay.status, replay.json().error, boundSetBy(replay) ], [ 400, 'That challenge was answered already', null ], 'the same answer again: 400, no cookie')
  let next = challengeOf((await refreshWith(browser, id)).headers.get('secure-session-challenge'))?.challenge ?? ''
  let thief = dbscClient()
  let forged = await refreshWith(visitor(browser.cookie), id, thief.refresh(next))
  t.deepEqual([ forged.status, boundSetBy(forged) ], [ 401, null ], 'a thief with the session cookie and a key of its own: 401, no cookie')
  let other = await boundBrowser()
  let theirs = challengeOf((await refreshWith(other.browser, other.id)).headers.get('secure-session-challenge'))?.challenge ?? ''
  t.equal((await refreshWith(browser, id, key.refresh(theirs))).status, 400, 'another session\'s challenge: 400')
  t.deepEqual((await refreshWith(browser, 'not-this-session', key.refresh(next))).json(), { continue: false }, 'another session id: the browser is told to stop ({"continue": false})')
})

test('ending a bound session ends its binding: sign-out clears the bound cookie, and a refresh after it is told to stop', async t => {
  let { browser, key, id, cookie } = await boundBrowser()
  let out = await browser.post('/logout', {}, withBound(browser, cookie))
  t.equal(boundSetBy(out), '', 'sign-out clears the bound cookie')
  let after = await refreshWith(browser, id, key.refresh('anything'))
  t.deepEqual([ after.status, after.json() ], [ 200, { continue: false } ], 'a refresh afterwards: {"continue": false}')
})

test('ending a bound session from another device ends its binding: its cookies open nothing, and a refresh is told to stop', async t => {
  let bound = await boundBrowser()
  let other = visitor()
  t.equal((await signIn(askOver(other), bound.device)).status, 200, 'the account signs in on another device')
  let ended = mode === 'table'
    ? await other.post('/sessions/end', { handle: bound.id }, JSON_HEADERS)
    : await other.post('/logout/everywhere', {}, JSON_HEADERS)
  t.equal(ended.status, 200, mode === 'table' ? 'which ends the bound session ("end this one")' : 'which signs out everywhere (cookie mode cannot end one alone)')
  t.equal((await state(bound.browser, bound.cookie)).user, null, 'the bound session is signed out, bound cookie and all')
  let asked = await refreshWith(bound.browser, bound.id)
  t.deepEqual([ asked.status, asked.json(), asked.headers.get('secure-session-challenge') ], [ 200, { continue: false }, null ], 'its refresh: {"continue": false}, and no challenge')
})

test('hostile headers to both routes: a 4xx with a message, never a 5xx', async t => {
  let { browser, offer } = await signedUp()
  let bound = await boundBrowser()
  let tokens = [ 'a.b.c', '.'.repeat(3), 'x'.repeat(10_000), `${Buffer.from('[1]').toString('base64url')}.${Buffer.from('{}').toString('base64url')}.${'A'.repeat(86)}`,
    `${Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'dbsc+jwt', jwk: { kty: 'EC', crv: 'P-256', x: 'A'.repeat(43), y: 'A'.repeat(43) } })).toString('base64url')}.${Buffer.from(JSON.stringify({ jti: offer?.challenge })).toString('base64url')}.${'A'.repeat(86)}`,
    `${Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'dbsc+jwt' })).toString('base64url')}.${Buffer.from(JSON.stringify({ jti: 7 })).toString('base64url')}.${'A'.repeat(86)}` ]
  // What each is sent to: which route, the session that sends it, and the session id it names
  let sends = [ { to: 'bind', cookie: browser.cookie, id: undefined }, { to: 'refresh', cookie: bound.browser.cookie, id: bound.id }, { to: 'refresh, bad id', cookie: bound.browser.cookie, id: 'token' } ] as const
  let fiveHundreds: string[] = []
  let unexplained: string[] = []
  let judge = (where: string, status: number, body: Record<string, unknown>, to: string) => {
    // A refresh naming another session id is told to stop: {"continue": false}
    if (status >= 500 || (status < 400 && to !== 'refresh, bad id')) fiveHundreds.push(`${where}: ${status}`)
    else if (status >= 400 && typeof body.error !== 'string') unexplained.push(`${where}: ${status}`)
  }

  // Every token to every route through a warm Lambda (the built handlers, on Sandbox's tables and
  // secret, so the sessions signed in over HTTP are valid there too)...
  let warm = warmLambda(sandboxEnv({ ARC_APP_SECRET: await devSecret() }))
  t.teardown(() => warm.close())
  for (let token of tokens) {
    for (let { to, cookie, id } of sends) {
      let path = to === 'bind' ? '/sessions/bind' : '/sessions/bind/refresh'
      let sent = event({ method: 'POST', path, cookie })
      Object.assign(sent.headers, { 'secure-session-response': token }, id ? { 'sec-secure-session-id': id === 'token' ? token : id } : {})
      let { response } = await warm.call(to === 'bind' ? 'post-sessions-bind' : 'post-sessions-bind-refresh', sent)
      judge(`warm, ${to}, ${token.slice(0, 20)}`, Number(response.statusCode), JSON.parse(String(response.body)) as Record<string, unknown>, to)
    }
  }
  // ...and each token once over HTTP, as Sandbox passes the headers on, the routes taking turns.
  // The 10,000-character one goes to bind: sent twice, as the bad id too, it would be more than
  // Node.js's HTTP server reads (16 KB), and Sandbox would answer an empty 431 with no Lambda run
  for (let [ i, token ] of tokens.entries()) {
    let { to, id } = sends[(i + 1) % sends.length]
    let reply = to === 'bind' ? await bindWith(browser, token) : await refreshWith(bound.browser, id === 'token' ? token : bound.id, token)
    judge(`over HTTP, ${to}, ${token.slice(0, 20)}`, reply.status, reply.json(), to)
  }
  t.deepEqual(fiveHundreds, [], `every one a 4xx (a refresh naming another session id: told to stop), among ${tokens.length * sends.length} calls of the handlers and ${tokens.length} requests through Sandbox`)
  t.deepEqual(unexplained, [], 'and every 4xx says why, in {"error"}')
})

test('the JWT checks are bundled by the two binding routes alone: GET / and POST /count check the bound cookie\'s MAC and nothing more', async t => {
  let holds = (route: string) => readFileSync(`${appDir}.build/http/${route}/index.js`, 'utf8').includes('dbsc+jwt')
  t.deepEqual([ 'get-index', 'post-count', 'post-passkeys-login', 'post-sessions-bind', 'post-sessions-bind-refresh' ].map(holds), [ false, false, false, true, true ], 'as Sandbox built them')
})

// Time moves in a warm Lambda: a challenge's 5 minutes, the bound cookie's 600 s
let lambda: WarmLambda
test('start a warm Lambda', async t => {
  lambda = warmLambda(sandboxEnv({ ARC_APP_SECRET: await devSecret() }))
  t.pass('started')
})

/** A browser of the warm Lambda: it keeps every cookie it is given, and asks at the time it is told */
function timedBrowser (jar = new Map<string, string>()) {
  let ask = async (route: Route, path: string, at: number, { json, headers = {} }: { json?: object, headers?: Record<string, string> } = {}) => {
    let sent = event({ method: route.startsWith('get-') ? 'GET' : 'POST', path, cookie: [ ...jar.values() ].join('; ') || undefined, json })
    Object.assign(sent.headers, headers)
    let { response } = await lambda.call(route, sent, at)
    for (let [ name, pair ] of Object.entries(cookiesSetBy(response))) {
      if (pair) jar.set(name, pair)
      else jar.delete(name)
    }
    return { status: Number(response.statusCode), headers: response.headers ?? {}, body: JSON.parse(String(response.body)) as Record<string, unknown> }
  }
  return Object.assign(ask, { copy: () => timedBrowser(new Map(jar)) })
}

test('an invitation answered after 5 minutes is refused; the bound cookie lapses after SESSION_BOUND_SECONDS, and only the key holder can refresh it', async t => {
  let t0 = Date.now() + 3_600_000
  let browser = timedBrowser()
  let device = authenticator(EVENT_ORIGIN)
  let options = await browser('post-passkeys-register-options', '/passkeys/register/options', t0, { json: { name: uniqueName('Timed') } })
  let signedUpAnswer = await browser('post-passkeys-register', '/passkeys/register', t0, { json: device.create(options.body as unknown as CreationOptions) })
  let late = await browser('post-sessions-bind', '/sessions/bind', t0 + 301_000, { headers: { 'secure-session-response': dbscClient().register(registrationOf(String(signedUpAnswer.headers['secure-session-registration']))?.challenge ?? '') } })
  t.deepEqual([ late.status, late.body.error ], [ 400, 'That is an expired challenge' ], 'an invitation answered after 5 minutes: 400')

  let t1 = t0 + 400_000
  let login = await browser('post-passkeys-login-options', '/passkeys/login/options', t1, { json: {} })
  let signedIn = await browser('post-passkeys-login', '/passkeys/login', t1, { json: device.get(login.body as never) })
  let key = dbscClient()
  let bound = await browser('post-sessions-bind', '/sessions/bind', t1, { headers: { 'secure-session-response': key.register(registrationOf(String(signedIn.headers['secure-session-registration']))?.challenge ?? '') } })
  t.equal(bound.status, 200, 'signed in again, and bound within the 5 minutes')
  let id = String(bound.body.session_identifier)
  let thief = browser.copy()
  t.notEqual((await browser('get-index', '/', t1 + 599_000)).body.user, null, '599 s later: signed in')
  t.notEqual((await thief('get-index', '/', t1 + 599_000)).body.user, null, 'and so is a copy of every cookie, within the bound cookie\'s lifetime')
  t.equal((await browser('get-index', '/', t1 + 601_000)).body.user, null, '601 s later the bound cookie has lapsed, by the expiry its MAC covers: answered as a new visitor')

  let asked = await thief('post-sessions-bind-refresh', '/sessions/bind/refresh', t1 + 601_000, { headers: { 'sec-secure-session-id': id } })
  let theirs = challengeOf(String(asked.headers['secure-session-challenge']))?.challenge ?? ''
  let forged = await thief('post-sessions-bind-refresh', '/sessions/bind/refresh', t1 + 601_000, { headers: { 'sec-secure-session-id': id, 'secure-session-response': dbscClient().refresh(theirs) } })
  t.equal(forged.status, 401, 'the copy of every cookie, without the key, cannot refresh: 401')
  t.equal((await thief('get-index', '/', t1 + 601_000)).body.user, null, 'and stays out')

  let challenge = challengeOf(String((await browser('post-sessions-bind-refresh', '/sessions/bind/refresh', t1 + 601_000, { headers: { 'sec-secure-session-id': id } })).headers['secure-session-challenge']))?.challenge ?? ''
  let stale = await browser('post-sessions-bind-refresh', '/sessions/bind/refresh', t1 + 902_000, { headers: { 'sec-secure-session-id': id, 'secure-session-response': key.refresh(challenge) } })
  t.deepEqual([ stale.status, stale.body.error ], [ 400, 'That is an expired challenge' ], 'a refresh challenge answered after 5 minutes: 400')
  let next = challengeOf(String((await browser('post-sessions-bind-refresh', '/sessions/bind/refresh', t1 + 902_000, { headers: { 'sec-secure-session-id': id } })).headers['secure-session-challenge']))?.challenge ?? ''
  let refreshed = await browser('post-sessions-bind-refresh', '/sessions/bind/refresh', t1 + 902_000, { headers: { 'sec-secure-session-id': id, 'secure-session-response': key.refresh(next) } })
  t.equal(refreshed.status, 200, 'the key holder refreshes')
  t.notEqual((await browser('get-index', '/', t1 + 902_000)).body.user, null, 'and is signed in again, with the count and cart it had')
})

test('close the warm Lambda', async t => {
  lambda.close()
  t.pass('closed')
})

test('end Sandbox', end)
