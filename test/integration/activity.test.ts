// An account's security activity (src/shared/auth/activity.ts), in both modes: over HTTP, each
// event once, in order, to its own account alone; in a warm Lambda behind a proxy, with time
// moved, the flood cap and a write that fails.
import test from 'tape'
import { start, end, mode, ports, devSecret } from '../helpers/sandbox.ts'
import { visitor, JSON_HEADERS, type Visitor } from '../helpers/browser-like.ts'
import { event } from '../helpers/lambda.ts'
import { dynamoProxy, type DynamoProxy } from '../helpers/dynamo-proxy.ts'
import { warmLambda, sandboxEnv, sandboxPorts, callsOf, type WarmLambda } from '../helpers/warm-lambda.ts'
import { askHandlers, askOver, authenticator, EVENT_ORIGIN, SANDBOX_ORIGIN, signIn, signUp, uniqueName } from '../helpers/passkeys.ts'

interface Event { type: string, at: number, device: string, handle?: string, passkey?: string }

const CHROME = { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36' }
const FIREFOX = { 'user-agent': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0' }
const SAFARI = { 'user-agent': 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15' }

const eventsOf = async (browser: Visitor) => (await browser.get('/activity', JSON_HEADERS)).json<{ events: Event[] }>().events
const handleOf = async (browser: Visitor) => (await browser.get('/sessions', JSON_HEADERS)).json<{ sessions: { handle: string, current: boolean }[] }>().sessions.find(s => s.current)?.handle

test('start Sandbox', start)

test('each event is recorded once, newest first, with the device and the session it concerns, and listed to its own account alone', async t => {
  let device = authenticator(SANDBOX_ORIGIN)
  let [ first, second, third ] = [ visitor(), visitor(), visitor() ]
  t.equal((await signUp(askOver(first, CHROME), device, uniqueName('Active'))).status, 200, 'signed up in Chrome')
  t.equal((await signIn(askOver(second, FIREFOX), device)).status, 200, 'signed in in Firefox')
  t.equal((await signIn(askOver(third, SAFARI), device)).status, 200, 'and in Safari')
  let [ secondHandle, thirdHandle ] = [ await handleOf(second), await handleOf(third) ]
  let ended = await first.post('/sessions/end', { handle: thirdHandle }, JSON_HEADERS)
  t.equal(ended.status, mode === 'table' ? 200 : 409, mode === 'table' ? 'table mode: Chrome ends the Safari session' : 'cookie mode cannot end one session (409), so nothing is recorded')
  t.equal((await second.post('/logout/others', {}, JSON_HEADERS)).status, 200, 'Firefox signs out everywhere else')
  let events = await eventsOf(second)
  let credential = device.credentials[0].id.slice(0, 8)
  t.deepEqual(events.map(({ type, device, handle, passkey }) => ({ type, device, handle, passkey })), [
    { type: 'signed-out-others', device: 'Firefox on Windows', handle: secondHandle, passkey: undefined },
    ...(mode === 'table' ? [ { type: 'session-ended', device: 'Chrome on Linux', handle: thirdHandle, passkey: undefined } ] : []),
    { type: 'signed-in', device: 'Safari on macOS', handle: undefined, passkey: credential },
    { type: 'signed-in', device: 'Firefox on Windows', handle: undefined, passkey: credential },
    { type: 'signed-up', device: 'Chrome on Linux', handle: undefined, passkey: credential },
  ], 'GET /activity: each event once, newest first, with the device that did it, the session it concerns, and the passkey (its id\'s first 8 characters)')
  let times = events.map(e => e.at)
  t.deepEqual(times, [ ...times ].sort((a, b) => b - a), 'their times go back in order')
  t.ok(times.every(at => Math.abs(Date.now() - at) < 120_000), 'and are the times they happened (ms since epoch)')
  let sent = JSON.stringify(events)
  for (let [ what, secret ] of [ [ 'a cookie', second.cookie.slice(5, 40) ], [ 'an address', second.address ], [ 'the whole credential id', device.credentials[0].id ] ]) {
    t.notOk(sent.includes(secret), `no event holds ${what}`)
  }
  let page = await second.get('/sessions')
  t.match(page.text, /<h2>Recent activity<\/h2><ul id="activity"><li>Signed out everywhere else, /, 'the "Your sessions" page shows the recent events, newest first')

  let stranger = visitor()
  t.equal((await signUp(askOver(stranger, SAFARI), authenticator(SANDBOX_ORIGIN), uniqueName('Other'))).status, 200, 'another account signs up')
  t.deepEqual((await eventsOf(stranger)).map(e => e.type), [ 'signed-up' ], 'and sees only its own event')

  t.equal((await second.post('/logout/everywhere', {}, JSON_HEADERS)).status, 200, 'Firefox signs out everywhere')
  let again = visitor()
  await signIn(askOver(again, CHROME), device)
  t.deepEqual((await eventsOf(again)).slice(0, 2).map(e => e.type), [ 'signed-in', 'signed-out-everywhere' ], 'signed in again: "signed out everywhere" was recorded before it')
  let anonymous = await visitor().get('/activity', JSON_HEADERS)
  t.deepEqual([ anonymous.status, anonymous.json().error ], [ 401, 'Sign in to see your account\'s activity' ], 'signed out, GET /activity is a 401 with a message')
})

// A warm Lambda behind a proxy, with time moved
let proxy: DynamoProxy
let lambda: WarmLambda

test('start a warm Lambda behind a proxy', async t => {
  proxy = await dynamoProxy(ports.tables)
  lambda = warmLambda(sandboxEnv({ ARC_APP_SECRET: await devSecret(), ARC_SANDBOX: sandboxPorts(proxy.port) }))
  t.pass('started')
})

test('a flood of answers refused for a counter that went back writes one event a minute; a write that fails leaves the sign-in done, and a log line says so', async t => {
  // A second into a minute, so the next few seconds share it
  let t0 = (Math.floor(Date.now() / 60_000) + 60) * 60_000 + 1000
  let device = authenticator(EVENT_ORIGIN)
  let owner = askHandlers(callsOf(lambda, t0))
  t.equal((await signUp(owner, device, uniqueName('Cloned'))).status, 200, 'signed up')
  t.equal((await signIn(askHandlers(callsOf(lambda, t0)), device, { counter: 5 })).status, 200, 'counter 5: signed in')
  let refused = []
  for (let at of [ t0 + 1000, t0 + 2000, t0 + 3000, t0 + 61_000 ]) refused.push((await signIn(askHandlers(callsOf(lambda, at)), device, { counter: 4 })).status)
  t.deepEqual(refused, [ 401, 401, 401, 401 ], 'four answers with a counter that went back: refused')
  let listed = async (at: number) => (JSON.parse(String((await lambda.call('get-activity', event({ cookie: owner.cookie() }), at)).response.body)) as { events: Event[] }).events
  let cloned = (await listed(t0 + 62_000)).filter(e => e.type === 'counter-went-back')
  t.deepEqual(cloned.map(e => e.at), [ t0 + 61_000, t0 + 1000 ], 'recorded once in each minute: the first of three, then the one a minute later')

  proxy.set({ brokenTable: 'activity' })
  let signedIn = await signIn(askHandlers(callsOf(lambda, t0 + 70_000)), device, { counter: 9 })
  proxy.set({})
  t.equal(signedIn.status, 200, 'with every write to the activity table refused, the sign-in still succeeds')
  let line = lambda.logs().find(logged => logged.includes('activity.unrecorded'))
  t.match(line ?? '', /"level":"warn","event":"activity.unrecorded",.*"route":"POST \/passkeys\/login","type":"signed-in","error":"StoreError"/, 'and a warning says which event was not recorded')
  t.notOk((await listed(t0 + 71_000)).some(e => e.at === t0 + 70_000), 'the event is not in the list')
})

test('close the warm Lambda and the proxy', async t => {
  lambda.close()
  await proxy.close()
  t.pass('closed')
})

test('end Sandbox', end)
