// The fourth review's findings (docs/security.md), each as its attack, in both modes: a passkey
// challenge answered twice from a captured cookie, "sign out everywhere" beaten by a warm Lambda's
// memory or by a write held in the network, sessions from before owners existed, names that
// normalise into keys too long to store, and an account's sessions past one page of a Query.
import test from 'tape'
import { createHash } from 'node:crypto'
import { visitor, JSON_HEADERS, type Visitor } from '../helpers/browser-like.ts'
import { event } from '../helpers/lambda.ts'
import { askHandlers, askOver, authenticator, SANDBOX_ORIGIN, EVENT_ORIGIN, signIn, signUp, uniqueName } from '../helpers/passkeys.ts'
import type { CreationOptions, RequestOptions } from '../helpers/authenticator.ts'
import { start, end, mode, devSecret, ports } from '../helpers/sandbox.ts'
import { warmLambda, sandboxEnv, sandboxPorts, callsOf, type WarmLambda } from '../helpers/warm-lambda.ts'
import { dynamoProxy, type DynamoProxy } from '../helpers/dynamo-proxy.ts'
import { sealSession } from '../helpers/jwe.ts'
import { getRow, putRow } from '../helpers/table.ts'
import { sign } from 'cookie-signature'

const userOf = async (browser: Visitor) => (await browser.get('/', JSON_HEADERS)).json().user

test('start Sandbox', async t => start(t))

test(`a captured sign-in cookie cannot answer its challenge a second time, even with a synced passkey's answer (${mode} mode)`, async t => {
  // A synced passkey reports counter 0 on every use, so the counter cannot catch a replay
  let device = authenticator(SANDBOX_ORIGIN, { synced: true })
  let name = uniqueName('Victim')
  let owner = visitor()
  t.equal((await signUp(askOver(owner), device, name)).status, 200, 'the victim signed up with a synced passkey')
  await owner.post('/logout', {}, JSON_HEADERS)

  let browser = visitor()
  let asked = Date.now()
  let options = await browser.post('/passkeys/login/options', {}, JSON_HEADERS)
  let answered = Date.now()
  let captured = browser.cookie
  let answer = device.get(options.json<RequestOptions>())
  t.equal((await browser.post('/passkeys/login', answer, JSON_HEADERS)).status, 200, 'the victim signs in')
  // Spent on the server: a row named by the challenge's hash (it holds no challenge), which
  // DynamoDB sweeps when the challenge would have expired (5 minutes after the options, CEREMONY_SECONDS)
  let marker = await getRow(`challenge:${createHash('sha256').update(options.json<RequestOptions>().challenge).digest('base64url')}`)
  t.deepEqual(Object.keys(marker ?? {}).sort(), [ '_idx', '_ttl', '_write' ], 'its challenge is spent: a row named by its hash, holding nothing else')
  let ttl = Number(marker?._ttl)
  t.ok(ttl >= Math.ceil((asked + 300_000) / 1000) && ttl <= Math.ceil((answered + 300_000) / 1000), `kept until the challenge would have expired (_ttl ${ttl})`)
  await browser.post('/logout/everywhere', {}, JSON_HEADERS)

  let replay = await visitor(captured).post('/passkeys/login', answer, JSON_HEADERS)
  t.equal(replay.status, 400, 'the captured cookie with the same answer, after "sign out everywhere": 400')
  // (table mode: the row that held the challenge was retired at sign-in)
  t.match(String(replay.json().error), mode === 'cookie' ? /answered already/ : /no passkey request/, 'saying why')
  let again = visitor(captured)
  await again.post('/passkeys/login', answer, JSON_HEADERS)
  t.equal(await userOf(again), null, 'and a third try signs nobody in either')
})

test(`a captured sign-up cookie cannot be answered with another passkey after the victim's (${mode} mode)`, async t => {
  let victim = visitor()
  let name = uniqueName('Signup')
  let options = await victim.post('/passkeys/register/options', { name }, JSON_HEADERS)
  let captured = victim.cookie
  let creation = options.json<CreationOptions>()
  t.equal((await victim.post('/passkeys/register', authenticator(SANDBOX_ORIGIN).create(creation), JSON_HEADERS)).status, 200, 'the victim signs up')

  let attacker = visitor(captured)
  let theirs = authenticator(SANDBOX_ORIGIN)
  let reply = await attacker.post('/passkeys/register', theirs.create(creation), JSON_HEADERS)
  t.equal(reply.status, 400, 'the attacker answers the same challenge with a passkey of their own: 400')
  t.equal(await userOf(attacker), null, 'and is not signed in')
  let withTheirs = visitor()
  let login = await withTheirs.post('/passkeys/login/options', {}, JSON_HEADERS)
  t.equal((await withTheirs.post('/passkeys/login', theirs.get(login.json<RequestOptions>()), JSON_HEADERS)).status, 401, 'their passkey was never added to the account: it signs nobody in')
})

test(`a session signed in by the previous release, without an owner, is signed out (${mode} mode)`, async t => {
  let secret = await devSecret()
  let now = Date.now()
  // Exactly what the release before owners wrote: a user, no `_owner`, no `_handle`
  let fields = { count: 2, user: { name: 'Ada', account: 'ada', since: now - 60_000, device: 'Chrome on macOS' }, cart: [ 'tea' ], _renewed: now - 60_000, _since: now - 60_000, _aud: 'arc-sessions/testing' }
  let cookie = `_idx=${sealSession(fields, secret, now - 60_000)}`
  if (mode === 'table') {
    let id = `before-owners-${now}`
    await putRow({ ...fields, _idx: id, _secret: 'x', _ttl: Math.floor(now / 1000) + 3600, _version: 1, _write: 'w' })
    cookie = `_idx=${encodeURIComponent(sign(id, secret))}`
  }
  let browser = visitor(cookie)
  let page = (await browser.get('/', JSON_HEADERS)).json()
  t.equal(page.user, null, 'GET / shows nobody signed in')
  t.equal(page.count, 2, 'while the count stays')
  let counted = await browser.post('/count', { by: 1 }, JSON_HEADERS)
  t.deepEqual([ counted.status, counted.json().user, counted.json().count ], [ 200, null, 3 ], 'a write stores the sign-out')
  t.equal(await userOf(visitor(cookie)), null, 'and the old cookie, sent again, is still signed out')
  t.equal((await browser.post('/logout/others', {}, JSON_HEADERS)).status, 401, 'it cannot end other sessions: it is nobody\'s')
})

test(`a name whose normalised key would be too long, or that holds half a character, is refused before anything is stored (${mode} mode)`, async t => {
  let long = await visitor().post('/passkeys/register/options', { name: '\uFDFA'.repeat(40) }, JSON_HEADERS)
  t.equal(long.status, 400, '40 × U+FDFA (1320 bytes once normalised): 400')
  t.match(String(long.json().error), /too long/, 'saying it is too long')
  let fits = await visitor().post('/passkeys/register/options', { name: '\uFDFA'.repeat(4) }, JSON_HEADERS)
  t.equal(fits.status, 200, '4 × U+FDFA (132 bytes): accepted')
  let lone = await visitor().post('/passkeys/register/options', { name: 'Ada\uD800' }, JSON_HEADERS)
  t.equal(lone.status, 400, 'a lone surrogate: 400')
})

test('end Sandbox', end)

// Warm Lambdas with time moved, behind a proxy that can hold a write and cut a Query into pages
let proxy: DynamoProxy
let lambdas: WarmLambda[] = []
const lambda = () => {
  let made = warmLambda(sandboxEnv({ ARC_APP_SECRET: secret, ARC_SANDBOX: sandboxPorts(proxy.port) }))
  lambdas.push(made)
  return made
}
let secret = ''

test('start Sandbox, and a proxy in front of its DynamoDB', async t => {
  await start(t)
  secret = await devSecret()
  proxy = await dynamoProxy(ports.tables)
})

/** The user a cookie shows on a new Lambda (which has read nothing yet), at `at` */
async function userOn (cookie: string, at: number) {
  let fresh = lambda()
  let { response } = await fresh.call('get-index', event({ cookie }), at)
  return (JSON.parse(String(response.body)) as { user: unknown }).user
}

test(`a session ended everywhere cannot re-issue itself through "sign out everywhere else" on a Lambda that has not heard (${mode} mode)`, async t => {
  let t0 = Date.now()
  let [ thiefs, owners ] = [ lambda(), lambda() ]
  let device = authenticator(EVENT_ORIGIN)
  t.equal((await signUp(askHandlers(callsOf(owners, t0)), device, uniqueName('Held'))).status, 200, 'signed up')
  let copied = askHandlers(callsOf(thiefs, t0 + 1000))
  await signIn(copied, device)
  // The Lambda the thief will use reads the owner's time now: nothing ended yet
  t.equal((await copied('/logout/others', {})).status, 200, 'the copied session signs out everywhere else once (its Lambda now remembers the time)')
  let owner = askHandlers(callsOf(owners, t0 + 2000))
  await signIn(owner, device)
  let everywhere = await askHandlers(callsOf(owners, t0 + 10_000), owner.cookie())('/logout/everywhere', {})
  t.equal(everywhere.status, 200, '10 s later, the owner signs out everywhere')
  t.equal(await userOn(copied.cookie(), t0 + 11_000), null, 'the copied cookie is refused by GET / on a Lambda that reads the time')

  let thief = askHandlers(callsOf(thiefs, t0 + 50_000), copied.cookie())
  let reissue = await thief('/logout/others', {})
  t.equal(reissue.status, 401, '50 s after, "sign out everywhere else" on the Lambda that remembers the old time: 401')
  t.equal(await userOn(thief.cookie(), t0 + 121_000), null, 'and whatever cookie the thief holds is signed out at 121 s')
  t.equal(await userOn(thief.cookie(), t0 + 3_600_000), null, 'and an hour later')
})

if (mode === 'cookie') {
  /** An account signed in on two devices at `t0`, each through a warm Lambda of its own */
  async function signedInTwice (t: test.Test, label: string, t0: number) {
    let device = authenticator(EVENT_ORIGIN)
    let name = uniqueName(label)
    let [ first, second ] = [ lambda(), lambda() ]
    t.equal((await signUp(askHandlers(callsOf(first, t0)), device, name)).status, 200, 'signed up')
    let here = askHandlers(callsOf(first, t0))
    await signIn(here, device)
    let there = askHandlers(callsOf(second, t0))
    await signIn(there, device)
    return { name, first, second, here, there }
  }

  test('cookie mode: a "sign out everywhere else" write that lands late cannot move the time back', async t => {
    let t0 = Date.now()
    let { name, first, second, here, there } = await signedInTwice(t, 'Late', t0)

    // Its write of the time, on the session table (the activity event's comes first, on its own table)
    let held = proxy.hold('PutItem')
    let asking = askHandlers(callsOf(first, t0 + 5000), here.cookie())
    let late = asking('/logout/others', {})
    await held.arrived
    let everywhere = await askHandlers(callsOf(second, t0 + 6000), there.cookie())('/logout/everywhere', {})
    t.equal(everywhere.status, 200, 'while one device\'s "everywhere else" (at 5 s) is held in the network, another signs out everywhere (at 6 s)')
    held.release()
    // A condition that finds a later time there is no failure: the later time ends the others too
    t.equal((await late).status, 200, 'the held request answers 200, not a 5xx')
    t.equal((await getRow(`signed-out:${name.toLowerCase()}`))?._before, t0 + 6000, 'the held write lands after it, and the time stays 6 s')
    t.equal(await userOn(here.cookie(), t0 + 7000), null, 'so the device that ended the others at 5 s is signed out too')
    t.equal(await userOn(asking.cookie(), t0 + 7000), null, 'and so is the cookie the held request re-issued, signed in from 5 s')
  })

  test('cookie mode: a "sign out everywhere" whose write DynamoDB refuses answers 503, and claims nothing', async t => {
    let t0 = Date.now()
    let { name, first, here, there } = await signedInTwice(t, 'Refused', t0)

    // Every PutItem refused: the "signed out before" time cannot be written (nor the activity
    // event, which is recorded only where it can be)
    proxy.set({ invalidWrites: Infinity })
    let everywhere = await askHandlers(callsOf(first, t0 + 1000), here.cookie())('/logout/everywhere', {})
    proxy.set({})
    t.deepEqual([ everywhere.status, everywhere.body.error ], [ 503, 'Sessions are unavailable right now; try again shortly' ], '503 with a message: nothing says the others ended')
    t.equal(await getRow(`signed-out:${name.toLowerCase()}`), undefined, 'no time was recorded')
    t.deepEqual(await userOn(there.cookie(), t0 + 2000), { name }, 'and the other device is still signed in, as the answer said')
  })
}

test(`ending an account's other sessions reads every page of the Query (${mode} mode)`, async t => {
  let t0 = Date.now()
  let shared = lambda()
  let calls = callsOf(shared, t0)
  let device = authenticator(EVENT_ORIGIN)
  t.equal((await signUp(askHandlers(calls), device, uniqueName('Pages'))).status, 200, 'signed up')
  let devices = []
  for (let n = 0; n < 4; n++) {
    let ask = askHandlers(calls)
    await signIn(ask, device)
    devices.push(ask)
  }
  let [ keeper, ...others ] = devices
  proxy.set({ queryPage: 1 })
  let asker = askHandlers(callsOf(shared, t0 + 1000), keeper.cookie())
  let ended = await asker('/logout/others', {})
  proxy.set({})
  t.equal(ended.status, 200, 'with the Query answering one session a page: 200')
  let users = await Promise.all(others.map(other => userOn(other.cookie(), t0 + 2000)))
  t.deepEqual(users, others.map(() => null), 'each of the other three is signed out')
  t.notEqual(await userOn(asker.cookie(), t0 + 2000), null, 'and the one that asked is not')
})

if (mode === 'table') {
  test('table mode: ending more sessions than one BatchWriteItem takes (25) ends every one, sending again what DynamoDB hands back', async t => {
    let t0 = Date.now()
    let calls = callsOf(lambda(), t0)
    let device = authenticator(EVENT_ORIGIN)
    let name = uniqueName('Many')
    t.equal((await signUp(askHandlers(calls), device, name)).status, 200, 'signed up')
    let keeper = askHandlers(calls)
    await signIn(keeper, device)
    // 30 more sessions of the account, as the wrapper writes their rows
    let ids = Array.from({ length: 30 }, (_, n) => `many-${t0}-${n}`)
    await Promise.all(ids.map((id, n) => putRow({
      _idx: id, _secret: 'x', _ttl: Math.floor(t0 / 1000) + 3600, _renewed: t0, _since: t0, _version: 1,
      _owner: name.toLowerCase(), _aud: 'arc-sessions/testing', _handle: `many${String(n).padStart(12, '0')}`,
    })))
    // DynamoDB short of capacity: each of the two batches comes back with one request unprocessed
    proxy.set({ unprocessed: 2 })
    let callsBefore = proxy.calls().length
    let ended = await keeper('/logout/others', {})
    proxy.set({})
    t.equal(ended.status, 200, '"sign out everywhere else" with 30 other sessions: 200')
    t.equal(proxy.calls().slice(callsBefore).filter(call => call === 'BatchWriteItem').length, 4, 'in batches of 25 and 5, each sent again for the request DynamoDB handed back')
    let rows = await Promise.all(ids.map(id => getRow(id)))
    t.equal(rows.filter(row => row?._ended === true).length, 30, 'and each of the 30 is now the marker of a session ended from another device')
  })
}

test(`a count that lands while a sign-in is under way does not leave the browser signed out (${mode} mode)`, async t => {
  let [ signing, counting ] = [ lambda(), lambda() ]
  let device = authenticator(EVENT_ORIGIN)
  let name = uniqueName('Racing')
  t.equal((await signUp(askHandlers(callsOf(signing)), device, name)).status, 200, 'signed up')
  let browser = askHandlers(callsOf(signing))
  await browser('/count', { by: 2 })
  let options = await browser('/passkeys/login/options', {})
  let cookie = browser.cookie()
  // The sign-in has read the session and checked the passkey; it is held as it counts the use
  let held = proxy.hold('UpdateItem on passkey')
  let signingIn = signing.call('post-passkeys-login', event({ method: 'POST', path: '/passkeys/login', cookie, json: device.get(options.body as unknown as RequestOptions) }))
  await held.arrived
  let counted = await counting.call('post-count', event({ method: 'POST', path: '/count', cookie, json: { by: 1 } }))
  t.equal(counted.response.statusCode, 200, 'meanwhile a count with the same cookie answers 200')
  held.release()
  let { response } = await signingIn
  t.equal(response.statusCode, 200, 'the sign-in answers 200 all the same (table mode: its write lost the race, and it ran again)')
  let signedIn = (response.cookies ?? []).find(c => c.startsWith('_idx=') && !/Max-Age=0/.test(c))?.split(';')[0] ?? ''
  let page = JSON.parse(String((await counting.call('get-index', event({ cookie: signedIn }))).response.body)) as { user: unknown, count: number }
  t.deepEqual(page.user, { name }, 'and the cookie it set is signed in')
  // (cookie mode cannot merge: the last answer wins, and the sign-in's holds the count it read)
  t.equal(page.count, mode === 'table' ? 3 : 2, mode === 'table' ? 'table mode: with the count that landed meanwhile' : 'cookie mode: with the count it read')
})

test('stop the Lambdas, the proxy and Sandbox', async t => {
  for (let made of lambdas) made.close()
  await proxy.close()
  await end(t)
})
