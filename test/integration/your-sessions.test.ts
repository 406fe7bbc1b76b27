// An account's sessions, seen and ended from one of its devices (src/shared/auth/devices.ts), and
// "keep me signed in", in both modes. Several devices (cookie jars) sign in to one account with the
// same software passkey. Table mode lists and ends any session; cookie mode ends the others, or
// all, by time, which a warm Lambda rereads at most once a minute.
import test from 'tape'
import { visitor, JSON_HEADERS, type Visitor } from '../helpers/browser-like.ts'
import { event, rawPost } from '../helpers/lambda.ts'
import { askHandlers, authenticator, SANDBOX_ORIGIN, EVENT_ORIGIN, routeOf, signedInCookie, signIn, signUp, uniqueName, type Ask } from '../helpers/passkeys.ts'
import type { Authenticator } from '../helpers/authenticator.ts'
import { start, end, mode, devSecret, ports } from '../helpers/sandbox.ts'
import { warmLambda, sandboxEnv, sandboxPorts, callsOf, type WarmLambda } from '../helpers/warm-lambda.ts'
import { dynamoProxy, type DynamoProxy } from '../helpers/dynamo-proxy.ts'
import { getRow, putRow } from '../helpers/table.ts'

// What a device signed out from another is told (src/shared/app.ts). Written out here: importing
// the app's modules into this process before a test sets their environment would fix their settings.
const SIGNED_OUT_ELSEWHERE = 'You were signed out from another device; sign in again'
const CHROME_MAC = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'
const FIREFOX_LINUX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0'

interface Listed { handle: string, current: boolean, device: string, signedInAt: number, lastSeenAt: number }
interface List { listable: boolean, sessions: Listed[] }

/** A client of Sandbox that asks for JSON as a browser with this User-Agent */
function askAs (browser: Visitor, userAgent: string): Ask {
  return async (path, body) => {
    let reply = await browser.post(path, body, { ...JSON_HEADERS, 'user-agent': userAgent })
    return { status: reply.status, body: reply.json() }
  }
}

/** A new device signed in to the account whose passkey `device` holds */
async function signedIn (device: Authenticator, userAgent = CHROME_MAC, choice: object = {}): Promise<Visitor> {
  let browser = visitor()
  let reply = await signIn(askAs(browser, userAgent), device, {}, choice)
  if (reply.status !== 200) throw new Error(`sign-in failed: ${JSON.stringify(reply.body)}`)
  return browser
}

/** An account with a passkey, signed up from a device that then signs out */
async function account (): Promise<{ device: Authenticator, name: string }> {
  let device = authenticator(SANDBOX_ORIGIN)
  let name = uniqueName('Ada')
  let browser = visitor()
  let reply = await signUp(askAs(browser, CHROME_MAC), device, name)
  if (reply.status !== 200) throw new Error(`sign-up failed: ${JSON.stringify(reply.body)}`)
  await browser.post('/logout', {}, JSON_HEADERS)
  return { device, name }
}

const userOf = async (browser: Visitor) => (await browser.get('/', JSON_HEADERS)).json().user
const stateOf = async (browser: Visitor) => {
  let { user, flash } = (await browser.get('/', JSON_HEADERS)).json()
  return { user, flash }
}
const listOf = async (browser: Visitor) => (await browser.get('/sessions', JSON_HEADERS)).json<List>()

test('start', async t => start(t))

test(`GET /sessions lists the account's sessions: all of them in table mode, this one in cookie mode (${mode} mode)`, async t => {
  let anonymous = await visitor().get('/sessions', JSON_HEADERS)
  t.equal(anonymous.status, 401, 'without a signed-in session: 401')
  t.equal(typeof anonymous.json().error, 'string', 'with {"error"}')

  let { device, name } = await account()
  let laptop = await signedIn(device, CHROME_MAC)
  let desktop = await signedIn(device, FIREFOX_LINUX)
  let other = await signedIn((await account()).device)
  let list = await listOf(laptop)
  t.equal(list.listable, mode === 'table', `listable: ${mode === 'table'}`)
  let current = list.sessions.filter(s => s.current)
  t.equal(current.length, 1, 'one of them is this one')
  t.equal(current[0].device, 'Chrome on macOS', 'named after the User-Agent at sign-in')
  t.ok(current[0].signedInAt <= Date.now() && current[0].lastSeenAt >= current[0].signedInAt, 'with its sign-in and last-seen times (ms since epoch)')
  if (mode === 'table') {
    t.equal(list.sessions.length, 2, 'table mode: both of the account\'s sessions (the sign-up signed out; another account\'s is not here)')
    t.deepEqual(list.sessions.map(s => s.device).sort(), [ 'Chrome on macOS', 'Firefox on Linux' ], 'each named after its device')
  }
  else {
    t.equal(list.sessions.length, 1, 'cookie mode: this session alone')
  }
  let handles = list.sessions.map(s => s.handle)
  let cookies = [ laptop, desktop, other ].map(b => decodeURIComponent(b.cookie.slice(5)))
  t.ok(handles.every(h => /^[\w-]{16}$/.test(h) && cookies.every(c => !c.includes(h))), 'a handle is 16 random characters, and no part of any cookie or row id')
  t.deepEqual((await desktop.get('/', JSON_HEADERS)).json().user, { name }, 'the other device is signed in too')
  let page = await laptop.get('/sessions')
  t.match(page.text, /<li><strong>Chrome on macOS<\/strong> \(this one\)/, 'the page lists them too')
})

if (mode === 'table') {
  test('table mode lists only the account\'s live sessions of this app and stage: not a row without a handle, another stage\'s, or an expired one', async t => {
    let { device, name } = await account()
    let browser = await signedIn(device)
    let owner = name.toLowerCase()
    let now = Date.now()
    let row = (id: string, fields: object) => putRow({ _idx: id, _secret: 'x', _ttl: Math.floor(now / 1000) + 3600, _renewed: now, _since: now, _version: 1, _owner: owner, _aud: 'arc-sessions/testing', ...fields })
    await row(`no-handle-${now}`, {})
    await row(`other-stage-${now}`, { _handle: 'otherstagehandle', _aud: 'arc-sessions/production' })
    await row(`expired-${now}`, { _handle: 'expiredhandle000', _renewed: now - 8 * 24 * 3600 * 1000, _since: now - 8 * 24 * 3600 * 1000 })
    // Past its `_ttl`, though DynamoDB has not swept it yet (it sweeps within days, not at once)
    await row(`unswept-${now}`, { _handle: 'unsweptrowhandle', _ttl: Math.floor(now / 1000) - 60 })
    let list = await listOf(browser)
    t.equal(list.sessions.length, 1, 'one session: this one')
    t.ok(list.sessions.every(s => typeof s.handle === 'string' && s.current), 'and nothing else')
  })
}

test('ending one session by its handle: table mode signs that device out; cookie mode answers 409', async t => {
  let { device } = await account()
  let [ phone, laptop, tablet ] = [ await signedIn(device), await signedIn(device), await signedIn(device) ]
  let stolen = laptop.cookie
  let others = (await listOf(phone)).sessions.filter(s => !s.current)
  if (mode === 'cookie') {
    let reply = await phone.post('/sessions/end', { handle: 'a'.repeat(16) }, JSON_HEADERS)
    t.equal(reply.status, 409, 'cookie mode: 409')
    t.match(reply.json<{ error: string }>().error, /Cookie mode cannot end one session alone/, 'with a message that says why')
    t.notEqual(await userOf(laptop), null, 'and nothing ended')
    return
  }
  let laptopHandle = (await listOf(laptop)).sessions.find(s => s.current)?.handle ?? ''
  t.ok(others.some(s => s.handle === laptopHandle), 'the laptop is in the phone\'s list')
  let ended = await phone.post('/sessions/end', { handle: laptopHandle }, JSON_HEADERS)
  t.equal(ended.status, 200, 'POST /sessions/end: 200')
  t.notOk(ended.json<List>().sessions.some(s => s.handle === laptopHandle), 'and the list it answers no longer has it')
  t.deepEqual(await stateOf(laptop), { user: null, flash: SIGNED_OUT_ELSEWHERE }, 'the laptop is signed out at its next request, and told why')
  t.equal(await userOf(visitor(stolen)), null, 'a copy of its cookie opens nothing')
  t.notEqual(await userOf(tablet), null, 'the tablet is still signed in')
  t.notEqual(await userOf(phone), null, 'and so is the phone')
  let again = await phone.post('/sessions/end', { handle: laptopHandle }, JSON_HEADERS)
  t.equal(again.status, 404, 'the same handle again: 404, it has ended')
})

test('a handle of another account ends nothing', async t => {
  let mine = await signedIn((await account()).device)
  let theirs = await signedIn((await account()).device)
  let theirHandle = (await listOf(theirs)).sessions[0].handle
  let reply = await mine.post('/sessions/end', { handle: theirHandle }, JSON_HEADERS)
  t.ok(reply.status >= 400 && reply.status < 500, `a 4xx (${reply.status})`)
  t.notEqual(await userOf(theirs), null, 'their session goes on')
  t.equal((await mine.post('/sessions/end', {}, JSON_HEADERS)).status, mode === 'table' ? 400 : 409, 'no handle at all: a 4xx too')
})

test('signing out everywhere else: the others end, this device stays signed in under a new cookie', async t => {
  let { device, name } = await account()
  let [ here, there, elsewhere ] = [ await signedIn(device), await signedIn(device), await signedIn(device) ]
  let [ before, thereCookie ] = [ here.cookie, there.cookie ]
  let reply = await here.post('/logout/others', {}, JSON_HEADERS)
  t.equal(reply.status, 200, 'POST /logout/others: 200')
  t.deepEqual(reply.json().user, { name }, 'still signed in')
  t.notEqual(here.cookie, before, 'under a new cookie')
  t.deepEqual(await userOf(here), { name }, 'which stays valid')
  t.equal(await userOf(there), null, 'the other devices are signed out')
  t.equal(await userOf(elsewhere), null, 'all of them')
  t.equal(await userOf(visitor(thereCookie)), null, 'a replayed copy of another device\'s cookie opens nothing')
  t.equal(await userOf(visitor(before)), null, 'nor does this device\'s cookie from before')
  if (mode === 'table') t.equal((await listOf(here)).sessions.length, 1, 'table mode: this session is the only one left')
  t.deepEqual(await userOf(await signedIn(device)), { name }, 'signing in again afterwards works')
})

test('signing out everywhere: every session ends, this one too', async t => {
  let { device } = await account()
  let [ here, there ] = [ await signedIn(device), await signedIn(device) ]
  let kept = here.cookie
  let reply = await here.post('/logout/everywhere', {}, JSON_HEADERS)
  t.equal(reply.status, 200, 'POST /logout/everywhere: 200')
  t.equal(reply.json().user, null, 'the answer is a signed-out state')
  t.match(reply.setCookie ?? '', /Max-Age=0/, 'and clears the cookie')
  t.equal(await userOf(there), null, 'the other device is signed out')
  t.equal(await userOf(visitor(kept)), null, 'a replayed copy of this device\'s cookie opens nothing')
  for (let route of [ '/logout/others', '/logout/everywhere', '/sessions/end' ]) {
    t.equal((await visitor().post(route, {}, JSON_HEADERS)).status, 401, `${route} without a signed-in session: 401`)
  }
})

test('a device signed out from another is told why, once; one that signed itself out, or a forged cookie, is told nothing', async t => {
  let { device } = await account()
  let [ here, there, open ] = [ await signedIn(device), await signedIn(device), await signedIn(device) ]
  let copy = there.cookie
  t.equal((await here.post('/logout/others', {}, JSON_HEADERS)).status, 200, 'one device signs out everywhere else')
  let told = await there.get('/', JSON_HEADERS)
  t.deepEqual([ told.json().user, told.json().flash ], [ null, SIGNED_OUT_ELSEWHERE ], 'another device\'s next answer: signed out, and why')
  t.match(told.setCookie ?? '', /Max-Age=0/, 'and its cookie is cleared')
  t.equal((await there.get('/', JSON_HEADERS)).json().flash, null, 'so it is told once')
  t.ok((await open.get('/')).text.includes(SIGNED_OUT_ELSEWHERE), 'the page says it')
  t.equal((await visitor(copy).get('/', JSON_HEADERS)).json().flash, SIGNED_OUT_ELSEWHERE, 'a copy of the ended cookie is told the same, and opens nothing')
  let counted = await visitor(copy).post('/count', { by: 1 }, JSON_HEADERS)
  t.deepEqual([ counted.json().count, counted.json().user, counted.json().flash ], [ 1, null, SIGNED_OUT_ELSEWHERE ], 'a count sent from a page left open: counted in a new session, and told why')
  let since = await signedIn(device)
  t.equal((await here.post('/logout/everywhere', {}, JSON_HEADERS)).status, 200, 'then it signs out everywhere')
  t.equal((await since.get('/', JSON_HEADERS)).json().flash, SIGNED_OUT_ELSEWHERE, 'a device signed in since is told too')
  let own = await signedIn(device)
  let ownCookie = own.cookie
  await own.post('/logout', {}, JSON_HEADERS)
  t.equal((await own.get('/', JSON_HEADERS)).json().flash, null, 'a device that signed itself out is told nothing')
  if (mode === 'table') t.equal((await visitor(ownCookie).get('/', JSON_HEADERS)).json().flash, null, 'table mode: nor is a copy of its cookie')
  t.equal((await visitor('_idx=forged').get('/', JSON_HEADERS)).json().flash, null, 'nor is a forged cookie')
})

test('keep me signed in: a cookie with Max-Age when chosen, a browser-session cookie otherwise, on every later answer too', async t => {
  let { device } = await account()
  let maxAgeOf = (header: string | null) => /Max-Age=(\d+)/.exec(header ?? '')?.[1] ?? null
  for (let [ label, choice, expected ] of [ [ 'remember: true', { remember: true }, '604800' ], [ 'remember: false', { remember: false }, null ], [ 'no choice', {}, null ] ] as const) {
    let browser = visitor()
    let ask = askAs(browser, CHROME_MAC)
    let options = await ask('/passkeys/login/options', choice)
    t.equal(options.status, 200, 'the options answer 200')
    let answer = await browser.post('/passkeys/login', device.get(options.body as never), JSON_HEADERS)
    t.equal(answer.status, 200, `${label}: signed in`)
    t.equal(maxAgeOf(answer.setCookie), expected, `${label}: the sign-in's cookie ${expected ? `has Max-Age=${expected}` : 'has no Max-Age'}`)
    t.doesNotMatch(answer.setCookie ?? '', /Expires=/i, `${label}: and no Expires`)
    let later = await browser.post('/count', { by: 1 }, JSON_HEADERS)
    t.equal(maxAgeOf(later.setCookie), expected, `${label}: so does the next answer's`)
  }
  let refused = await visitor().post('/passkeys/login/options', { remember: 'yes' }, JSON_HEADERS)
  t.equal(refused.status, 400, 'remember that is not a boolean: 400')
  let up = visitor()
  let signUpChoice = await signUp(askAs(up, CHROME_MAC), authenticator(SANDBOX_ORIGIN), uniqueName('Grace'), { remember: true })
  t.equal(signUpChoice.status, 200, 'sign-up takes the choice too')
  t.match((await up.post('/count', { by: 1 }, JSON_HEADERS)).setCookie ?? '', /Max-Age=604800/, 'and keeps it')
})

test('hostile bodies to the session and passkey routes, signed in or not: a 4xx with a message, never a 5xx', async t => {
  let routes = [ '/sessions/end', '/logout/others', '/logout/everywhere', '/passkeys/register/options', '/passkeys/register', '/passkeys/login/options', '/passkeys/login', '/passkeys/verify/options', '/passkeys/verify', '/passkeys/rename', '/passkeys/remove', '/recover', '/recover/new', '/sessions/bind', '/sessions/bind/refresh' ]
  let bodies: [string, string, string][] = [
    [ 'invalid JSON', '{"handle":', 'application/json' ],
    [ 'JSON null', 'null', 'application/json' ],
    [ 'an array', '[1,2]', 'application/json' ],
    [ 'a 5,000-character handle', JSON.stringify({ handle: 'h'.repeat(5000) }), 'application/json' ],
    [ 'a handle that is an object', JSON.stringify({ handle: { $ne: '' }, remember: 'yes' }), 'application/json' ],
    [ 'another content type', '<xml/>', 'text/xml' ],
    [ 'a 1 MB body', JSON.stringify({ handle: 'x'.repeat(1024 * 1024) }), 'application/json' ],
  ]
  let fiveHundreds: string[] = []
  let unexplained: string[] = []
  let judge = (where: string, status: number, error: unknown) => {
    if (status >= 500) fiveHundreds.push(where)
    else if (status >= 400 && typeof error !== 'string') unexplained.push(where)
  }

  // Every route, every body, signed in and not: through a warm Lambda (the built handlers, on
  // Sandbox's tables), each given the event an HTTP API hands it. A call there takes milliseconds,
  // a request through Sandbox about 300 (a process each): all 210 over HTTP took 63 s of a mode's
  // run, these take 6.
  let lambda = warmLambda(sandboxEnv({ ARC_APP_SECRET: await devSecret() }))
  let name = uniqueName('Hostile')
  for (let signedInHere of [ false, true ]) {
    for (let route of routes) {
      for (let [ label, body, type ] of bodies) {
        // Signed in afresh for each call, since an answer may sign the session out (everywhere)
        let cookie = signedInHere ? await signedInCookie(callsOf(lambda), name) : undefined
        let { response } = await lambda.call(routeOf(route), rawPost(route, body, type, cookie))
        let status = Number(response.statusCode)
        judge(`warm, ${signedInHere ? 'signed in' : 'signed out'}, ${route}, ${label}: ${status}`, status, status >= 400 ? (JSON.parse(String(response.body)) as { error?: unknown }).error : undefined)
      }
    }
  }
  lambda.close()

  // And over HTTP, for what the calls above cannot show: that Sandbox reads each body into the
  // event as rawPost builds it, and that each route's bundle answers there as it does warm.
  // Sandbox reads every route's body the same way, so each route gets one body and each body two
  // or three routes, signed in for every other request: every body meets Sandbox both signed in
  // and not (7 is odd). With all 105 pairs, this test took 44 s of a mode's run; now 12 to 14.
  // A 4xx changes nothing, so a browser goes on from request to request; after anything else, a
  // signed-out one is replaced, and a signed-in one signs in again only if that answer signed it
  // out ("sign out everywhere")
  let { device } = await account()
  let browsers: Record<'signed in' | 'signed out', Visitor | null> = { 'signed in': null, 'signed out': null }
  for (let [ i, route ] of routes.entries()) {
    let [ label, body, type ] = bodies[i % bodies.length]
    let state = i % 2 ? 'signed in' as const : 'signed out' as const
    let browser = browsers[state] ??= state === 'signed in' ? await signedIn(device) : visitor()
    let reply = await browser.post(route, body, { ...JSON_HEADERS, 'content-type': type })
    if (reply.status >= 500 || (reply.status < 400 && !(state === 'signed in' && await userOf(browser)))) browsers[state] = null
    judge(`over HTTP, ${state}, ${route}, ${label}: ${reply.status}`, reply.status, reply.status >= 400 ? reply.json().error : undefined)
  }
  t.deepEqual(fiveHundreds, [], `no 5xx among ${2 * routes.length * bodies.length} hostile calls of the handlers and ${routes.length} requests through Sandbox`)
  t.deepEqual(unexplained, [], 'and every 4xx says why, in {"error"}')
  let crossSite = await (await signedIn(device)).post('/logout/everywhere', {}, { ...JSON_HEADERS, origin: 'https://evil.example' })
  t.equal(crossSite.status, 403, 'a sign-out everywhere posted from another site: 403')
})

test('end Sandbox', end)

// Warm Lambdas, with time moved: how long a session ended elsewhere can still be used
let proxy: DynamoProxy
let first: WarmLambda
let second: WarmLambda

test('start Sandbox, and two warm Lambdas behind a proxy that counts their DynamoDB calls', async t => {
  await start(t)
  proxy = await dynamoProxy(ports.tables)
  let secret = await devSecret()
  first = warmLambda(sandboxEnv({ ARC_APP_SECRET: secret, ARC_SANDBOX: sandboxPorts(proxy.port) }))
  second = warmLambda(sandboxEnv({ ARC_APP_SECRET: secret, ARC_SANDBOX: sandboxPorts(proxy.port) }))
})

test('cookie mode rereads "signed out before" at most once a minute per Lambda; table mode ends a session at once; anonymous requests never call DynamoDB', async t => {
  let t0 = Date.now()
  let device = authenticator(EVENT_ORIGIN)
  let name = uniqueName('Clock')
  t.equal((await signUp(askHandlers(callsOf(second, t0)), device, name)).status, 200, 'signed up, by a client that sends no User-Agent')
  let here = askHandlers(callsOf(second, t0))
  await signIn(here, device)
  let there = askHandlers(callsOf(first, t0))
  await signIn(there, device)
  let userAt = async (lambda: WarmLambda, cookie: string, at: number) => {
    let from = proxy.calls().length
    let { response } = await lambda.call('get-index', event({ cookie }), at)
    return { user: (JSON.parse(String(response.body)) as { user: unknown }).user, calls: proxy.calls().slice(from) }
  }
  let seen = await userAt(first, there.cookie(), t0 + 1000)
  t.notEqual(seen.user, null, 'the other device, through the first Lambda: signed in')
  t.deepEqual(seen.calls, [ 'GetItem' ], 'its first signed-in request reads once (cookie mode: "signed out before"; table mode: the row)')
  let again = await userAt(first, there.cookie(), t0 + 2000)
  t.deepEqual(again.calls, mode === 'table' ? [ 'GetItem' ] : [], mode === 'table' ? 'table mode reads the row every time' : 'cookie mode: the next one, within the minute, makes no DynamoDB call')

  let from = proxy.calls().length
  for (let request of [ event({}), event({ method: 'POST', path: '/count', json: { by: 1 } }) ]) {
    await first.call(request.requestContext.http.method === 'GET' ? 'get-index' : 'post-count', request, t0 + 2000)
  }
  t.deepEqual(proxy.calls().slice(from), mode === 'table' ? [ 'PutItem' ] : [], mode === 'table' ? 'table mode: the anonymous count stores its row, and the page view makes no call' : 'cookie mode: anonymous requests, a page view and a count, make no DynamoDB call')

  let asker = askHandlers(callsOf(second, t0 + 5000), here.cookie())
  let ended = await asker('/logout/others', {})
  t.equal(ended.status, 200, '5 s later, this device signs out everywhere else (through the second Lambda)')
  let soon = await userAt(first, there.cookie(), t0 + 30_000)
  let late = await userAt(first, there.cookie(), t0 + 61_000)
  if (mode === 'table') {
    t.equal(soon.user, null, 'table mode: the other device is signed out at once')
  }
  else {
    t.notEqual(soon.user, null, 'cookie mode: 30 s later, the first Lambda still trusts what it read (the documented delay)')
    t.equal(late.user, null, 'cookie mode: 61 s, a minute after it read, it reads again, and the other device is signed out')
    t.deepEqual(late.calls, [ 'GetItem' ], 'with one strongly consistent GetItem')
  }
  let fresh = await userAt(second, there.cookie(), t0 + 6000)
  t.equal(fresh.user, null, 'the Lambda that recorded it refuses it at once')
  if (mode === 'cookie') {
    let row = await getRow(`signed-out:${name.toLowerCase()}`)
    t.equal(row?._before, t0 + 5000, 'the account\'s row in the session table holds the time')
    t.equal(row?._ttl, Math.ceil((t0 + 5000) / 1000) + 30 * 24 * 3600, 'and is swept 30 days later, when every session begun before it has ended anyway')
  }

  // DynamoDB down when a signed-in request must reread: a 503, never a guess that nothing ended
  proxy.set({ throttle: Infinity })
  let down = await first.call('get-index', event({ cookie: asker.cookie() }), t0 + 200_000)
  let anonymous = await first.call('get-index', event({}), t0 + 200_000)
  proxy.set({})
  t.equal(down.response.statusCode, 503, mode === 'cookie' ? 'cookie mode, DynamoDB throttling: the signed-in device that stayed, whose check is due again, gets a 503' : 'table mode, DynamoDB throttling: a 503, as for any session')
  t.equal(anonymous.response.statusCode, 200, 'while an anonymous page view is served as ever')
})

test('stop the Lambdas, the proxy and Sandbox', async t => {
  first.close()
  second.close()
  await proxy.close()
  await end(t)
})
