// Passkey sign-up and sign-in (src/shared/auth/), in both modes, against Sandbox, with a software
// authenticator (test/helpers/authenticator.ts). Everything a passkey answer can get wrong is
// refused with a 4xx and a message, and leaves nobody signed in.
import test from 'tape'
import { visitor, cookieValue, JSON_HEADERS, type Visitor } from '../helpers/browser-like.ts'
import { bodyOf, event } from '../helpers/lambda.ts'
import { askHandlers, askOver, authenticator, SANDBOX_ORIGIN, EVENT_ORIGIN, signIn, signUp, uniqueName, unregistered } from '../helpers/passkeys.ts'
import type { Authenticator, Bend, CreationOptions, RequestOptions } from '../helpers/authenticator.ts'
import { start, end, mode, devSecret } from '../helpers/sandbox.ts'
import { getRow } from '../helpers/table.ts'
import { warmLambda, sandboxEnv, callsOf, DEPLOYED_ORIGIN } from '../helpers/warm-lambda.ts'
import { randomSecret } from '../helpers/secrets.ts'

const MINUTE = 60 * 1000

test('start', async t => start(t))

/** Who the visitor is now, as GET / tells a JSON client */
async function userOf (browser: Visitor) {
  return (await browser.get('/', JSON_HEADERS)).json().user
}

/** A visitor signed up under a new name, with the device that holds its passkey */
async function member (): Promise<{ name: string, device: Authenticator }> {
  let name = uniqueName('Ada')
  let device = authenticator(SANDBOX_ORIGIN)
  let reply = await signUp(askOver(visitor()), device, name)
  if (reply.status !== 200) throw new Error(`sign-up failed: ${JSON.stringify(reply.body)}`)
  return { name, device }
}

/** Asks for sign-in options as `browser`, then sends the device's answer bent by `bend` */
async function answerBent (browser: Visitor, device: Authenticator, bend: Bend & { credentialId?: string }) {
  let ask = askOver(browser)
  let options = await ask('/passkeys/login/options', {})
  return ask('/passkeys/login', device.get(options.body as unknown as RequestOptions, bend))
}

test(`sign up with a passkey, sign out, and sign in with it, with no name typed (${mode} mode)`, async t => {
  let browser = visitor()
  let device = authenticator(SANDBOX_ORIGIN)
  await browser.post('/count', { by: 3 }, JSON_HEADERS)
  await browser.post('/cart', { item: 'tea' }, JSON_HEADERS)
  let before = browser.cookie
  let name = uniqueName('Ada')
  let up = await signUp(askOver(browser), device, name)
  t.equal(up.status, 200, 'POST /passkeys/register: 200')
  t.deepEqual(up.body, { mode, count: 3, user: { name }, cart: [ 'tea' ], flash: null, recoveryCode: up.body.recoveryCode }, 'signed in under the name, with the count and the cart kept')
  t.equal(typeof up.body.recoveryCode, 'string', 'and the recovery code, shown once (recovery.test.ts)')
  t.notEqual(browser.cookie, before, 'under a new session identity')
  await browser.post('/logout', {}, JSON_HEADERS)
  t.equal(await userOf(browser), null, 'signed out')
  let back = await signIn(askOver(browser), device)
  t.equal(back.status, 200, 'POST /passkeys/login: 200')
  t.deepEqual(back.body.user, { name }, 'signed in again')
})

test('the options are what @simplewebauthn/server would make: a discoverable credential for this host, and a sign-in without allowCredentials', async t => {
  let browser = visitor()
  let name = uniqueName('Grace')
  let register = await browser.post('/passkeys/register/options', { name }, JSON_HEADERS)
  t.equal(register.status, 200, 'the registration answers 200')
  let options = register.json<{ rp: { id: string, name: string }, user: { id: string, name: string }, challenge: string, authenticatorSelection: Record<string, unknown>, attestation: string, timeout: number }>()
  t.equal(options.rp.id, 'localhost', 'rp.id: the host\'s name')
  t.equal(options.user.name, name, 'user.name: the name')
  t.notOk(options.user.id.includes(Buffer.from(name).toString('base64url')), 'user.id is random, not the name')
  t.deepEqual([ options.authenticatorSelection.residentKey, options.authenticatorSelection.userVerification ], [ 'required', 'required' ], 'a discoverable credential, the user verified')
  t.equal(options.attestation, 'none', 'no attestation asked')
  t.equal(options.timeout, 300_000, 'the browser is given the 5 minutes the challenge lasts')
  let login = (await browser.post('/passkeys/login/options', {}, JSON_HEADERS)).json<Record<string, unknown>>()
  t.equal(login.rpId, 'localhost', 'sign-in: rpId the host\'s name')
  t.equal(login.allowCredentials, undefined, 'sign-in: no allowCredentials')
  t.equal(login.userVerification, 'required', 'sign-in: the user verified')
  t.notEqual(login.challenge, options.challenge, 'a new challenge, replacing the first')
})

test('a signed-in user adds a second passkey, and either signs them in', async t => {
  let browser = visitor()
  let { name, device } = await member()
  t.equal((await signIn(askOver(browser), device)).status, 200, 'signed in with the first')
  let second = authenticator(SANDBOX_ORIGIN)
  let options = await browser.post('/passkeys/register/options', {}, JSON_HEADERS)
  t.equal(options.status, 200, '{} while signed in: options for the same account')
  t.equal(options.json<{ user: { name: string } }>().user.name, name, 'for their name')
  let added = await browser.post('/passkeys/register', second.create(options.json<CreationOptions>()), JSON_HEADERS)
  t.equal(added.status, 200, 'the second passkey is registered')
  t.deepEqual(added.json().user, { name }, 'still signed in as themselves')
  let elsewhere = visitor()
  t.deepEqual((await signIn(askOver(elsewhere), second)).body.user, { name }, 'the second passkey signs in to the same account')
  t.equal((await visitor().post('/passkeys/register/options', {}, JSON_HEADERS)).status, 400, '{} without a session: 400, a name is needed')
})

test('a name is unique whatever its case, checked at the options and enforced by a conditional write', async t => {
  let { name } = await member()
  let taken = await visitor().post('/passkeys/register/options', { name: name.toUpperCase() }, JSON_HEADERS)
  t.equal(taken.status, 409, 'the same name in capitals: 409 at the options')
  t.match(taken.json<{ error: string }>().error, /taken/, 'the error says the name is taken')

  // Two visitors ask for the same new name before either registers: the write decides
  let fresh = uniqueName('Linus')
  let [ first, second ] = [ visitor(), visitor() ]
  let [ a, b ] = [ await first.post('/passkeys/register/options', { name: fresh }, JSON_HEADERS), await second.post('/passkeys/register/options', { name: fresh }, JSON_HEADERS) ]
  t.deepEqual([ a.status, b.status ], [ 200, 200 ], 'both get options: neither has registered yet')
  let winner = authenticator(SANDBOX_ORIGIN)
  let loser = authenticator(SANDBOX_ORIGIN)
  t.equal((await first.post('/passkeys/register', winner.create(a.json<CreationOptions>()), JSON_HEADERS)).status, 200, 'the first to register gets the name')
  let late = await second.post('/passkeys/register', loser.create(b.json<CreationOptions>()), JSON_HEADERS)
  t.equal(late.status, 409, 'the second: 409')
  t.equal(await userOf(second), null, 'and is not signed in')
  t.equal((await signIn(askOver(visitor()), loser)).status, 401, 'its passkey was removed: it signs nobody in')
  t.deepEqual((await signIn(askOver(visitor()), winner)).body.user, { name: fresh }, 'the winner\'s does')
})

test('every bent answer to a sign-in is refused, with a message, and leaves nobody signed in', async t => {
  let { device } = await member()
  let cases: [string, Bend & { credentialId?: string }, number][] = [
    [ 'another origin', { origin: 'https://evil.example' }, 401 ],
    [ 'another RP ID', { rpId: 'evil.example' }, 401 ],
    [ 'a webauthn.create client data in a sign-in', { type: 'webauthn.create' }, 401 ],
    [ 'a challenge of its own making', { challenge: Buffer.from('made up').toString('base64url') }, 401 ],
  ]
  for (let [ label, bend, status ] of cases) {
    let browser = visitor()
    let reply = await answerBent(browser, device, bend)
    t.equal(reply.status, status, `${label}: ${status}`)
    t.equal(typeof reply.body.error, 'string', `${label}: {"error": "${String(reply.body.error)}"}`)
    t.equal(await userOf(browser), null, `${label}: nobody signed in`)
  }
  t.equal((await signIn(askOver(visitor()), device)).status, 200, 'and the passkey still works afterwards')
})

test('a counter that went back is refused; a synced passkey that always reports 0 is not', async t => {
  let { device } = await member()
  let browser = visitor()
  t.equal((await answerBent(browser, device, { counter: 5 })).status, 200, 'counter 5: signed in')
  let again = visitor()
  let reply = await answerBent(again, device, { counter: 5 })
  t.equal(reply.status, 401, 'counter 5 again: 401')
  t.equal(await userOf(again), null, 'nobody signed in')
  t.equal((await answerBent(visitor(), device, { counter: 3 })).status, 401, 'counter 3, lower still: 401')
  t.equal((await answerBent(visitor(), device, { counter: 6 })).status, 200, 'counter 6: signed in')

  let synced = authenticator(SANDBOX_ORIGIN, { synced: true })
  t.equal((await signUp(askOver(visitor()), synced, uniqueName('Synced'))).status, 200, 'a synced passkey signs up with counter 0')
  for (let time of [ 1, 2 ]) t.equal((await signIn(askOver(visitor()), synced)).status, 200, `and signs in with 0, time ${time}`)
})

test('a challenge is used once: a replayed answer, or a second answer after a wrong one, is refused', async t => {
  let { device } = await member()
  let browser = visitor()
  let ask = askOver(browser)
  let options = await ask('/passkeys/login/options', {})
  let answer = device.get(options.body as unknown as RequestOptions)
  t.equal((await ask('/passkeys/login', answer)).status, 200, 'the answer signs in')
  let replay = await ask('/passkeys/login', answer)
  t.equal(replay.status, 400, 'the same answer again: 400')
  t.match(String(replay.body.error), /no passkey request/, 'the session has no challenge left')
  let stranger = visitor()
  let elsewhere = await askOver(stranger)('/passkeys/login/options', {})
  t.equal(elsewhere.status, 200, 'another visitor gets options of its own')
  t.equal((await askOver(stranger)('/passkeys/login', answer)).status, 401, 'replayed in another session, which has a challenge of its own: 401')
  t.equal(await userOf(stranger), null, 'nobody signed in there')

  let twice = visitor()
  let second = askOver(twice)
  let challenge = await second('/passkeys/login/options', {})
  t.equal((await second('/passkeys/login', device.get(challenge.body as unknown as RequestOptions, { origin: 'https://evil.example' }))).status, 401, 'a wrong answer: 401')
  t.equal((await second('/passkeys/login', device.get(challenge.body as unknown as RequestOptions))).status, 400, 'then the right one to the same challenge: 400, it was spent')
  t.equal(await userOf(twice), null, 'nobody signed in')
})

test('an answer to another session\'s challenge is refused', async t => {
  let { device } = await member()
  let [ asker, answerer ] = [ visitor(), visitor() ]
  let theirs = await askOver(asker)('/passkeys/login/options', {})
  await askOver(answerer)('/passkeys/login/options', {})
  let reply = await askOver(answerer)('/passkeys/login', device.get(theirs.body as unknown as RequestOptions))
  t.equal(reply.status, 401, '401')
  t.equal(await userOf(answerer), null, 'the answering session is not signed in')
  t.equal((await askOver(asker)('/passkeys/login', device.get(theirs.body as unknown as RequestOptions))).status, 200, 'the asking session\'s own answer still works')
})

test('an unknown passkey, and a registration that reuses a stored credential id, are refused', async t => {
  let browser = visitor()
  let reply = await signIn(askOver(browser), unregistered(SANDBOX_ORIGIN))
  t.equal(reply.status, 401, 'a passkey never registered: 401')
  t.match(String(reply.body.error), /not registered/, 'with a message')
  t.equal(await userOf(browser), null, 'nobody signed in')

  // A client picks the credential id it sends: one that names a stored passkey must not replace its key
  let { name, device } = await member()
  let attacker = visitor()
  let [ victim ] = device.credentials
  let options = await attacker.post('/passkeys/register/options', { name: uniqueName('Mallory') }, JSON_HEADERS)
  let hijack = await attacker.post('/passkeys/register', authenticator(SANDBOX_ORIGIN).create(options.json<CreationOptions>(), { id: victim.id }), JSON_HEADERS)
  t.equal(hijack.status, 409, 'a registration under a stored credential id: 409')
  t.equal(await userOf(attacker), null, 'the attacker is not signed in')
  t.deepEqual((await signIn(askOver(visitor()), device)).body.user, { name }, 'and the victim\'s passkey still signs the victim in')
})

test('a challenge expires after 5 minutes (the clock moved)', async t => {
  let lambda = warmLambda(sandboxEnv({ ARC_APP_SECRET: await devSecret() }))
  let t0 = Date.now()
  let device = authenticator(EVENT_ORIGIN)
  t.equal((await signUp(askHandlers(callsOf(lambda, t0)), device, uniqueName('Clock'))).status, 200, 'signed up')
  /** Asks for options at t0 (as a visitor with a count, if `counted`) and answers `after` ms later */
  let answerLate = async (after: number, counted: boolean) => {
    let asked = askHandlers(callsOf(lambda, t0))
    if (counted) await asked('/count', { by: 1 })
    let options = await asked('/passkeys/login/options', {})
    let late = askHandlers(callsOf(lambda, t0 + after), asked.cookie())
    return late('/passkeys/login', device.get(options.body as unknown as RequestOptions))
  }
  t.equal((await answerLate(5 * MINUTE, false)).status, 200, 'answered 5 minutes later: signed in')
  let blank = await answerLate(5 * MINUTE + 1000, false)
  t.equal(blank.status, 400, 'a second more, from a session that held only the challenge: 400')
  t.match(String(blank.body.error), /no passkey request/, 'that session ended with its challenge')
  let counted = await answerLate(5 * MINUTE + 1000, true)
  t.equal(counted.status, 400, 'a second more, from a session with a count: 400')
  t.match(String(counted.body.error), /took too long/, 'the challenge expired; the session did not')
  lambda.close()
})

test('a new visitor who asks for options gets a session that ends with the challenge: 5 minutes, not a week', async t => {
  let browser = visitor()
  let options = await browser.post('/passkeys/login/options', {}, JSON_HEADERS)
  t.match(options.setCookie ?? '', /Max-Age=300;/, 'the cookie: Max-Age=300')
  if (mode === 'table') {
    let row = await getRow(cookieValue(browser.cookie).split('.')[0])
    let left = Number(row?._ttl) - Date.now() / 1000
    t.ok(left > 290 && left <= 301, `table mode: the row's _ttl is ${Math.round(left)} s ahead`)
  }
  let counted = await browser.post('/count', { by: 1 }, JSON_HEADERS)
  t.match(counted.setCookie ?? '', /Max-Age=604800;/, 'once the session holds something, it lives the idle limit again')

  let keeper = visitor()
  await keeper.post('/count', { by: 2 }, JSON_HEADERS)
  let kept = await keeper.post('/passkeys/login/options', {}, JSON_HEADERS)
  t.match(kept.setCookie ?? '', /Max-Age=604800;/, 'a visitor with a count keeps the idle limit when asking for options')
})

test('malformed answers get a 4xx with a message, never a 5xx, and nobody is signed in', async t => {
  let device = authenticator(EVENT_ORIGIN)
  let garbage = Buffer.from('garbage, not CBOR').toString('base64url')
  let short = Buffer.alloc(20).toString('base64url')
  type Malform = (answer: Record<string, unknown>) => unknown
  let responseOf = (answer: Record<string, unknown>) => answer.response as Record<string, unknown>
  let logins: [string, Malform][] = [
    [ 'an empty body', () => undefined ],
    [ 'an empty object', () => ({}) ],
    [ 'an array', () => [ 1, 2 ] ],
    [ 'a number for the id', answer => ({ ...answer, id: 42 }) ],
    [ 'a response that is a string', answer => ({ ...answer, response: 'yes' }) ],
    [ 'bad base64url in the signature', answer => ({ ...answer, response: { ...responseOf(answer), signature: '!!not base64!!' } }) ],
    [ 'authenticator data too short', answer => ({ ...answer, response: { ...responseOf(answer), authenticatorData: short } }) ],
    [ 'client data that is not JSON', answer => ({ ...answer, response: { ...responseOf(answer), clientDataJSON: garbage } }) ],
    [ 'a 5,000-character id', answer => ({ ...answer, id: 'A'.repeat(5000), rawId: 'A'.repeat(5000) }) ],
    [ 'a 1 MB body', answer => ({ ...answer, padding: 'x'.repeat(1024 * 1024) }) ],
  ]
  let registrations: [string, Malform][] = [
    [ 'CBOR garbage for the attestation', answer => ({ ...answer, response: { ...responseOf(answer), attestationObject: garbage } }) ],
    [ 'an attestation cut short', answer => ({ ...answer, response: { ...responseOf(answer), attestationObject: String(responseOf(answer).attestationObject).slice(0, 60) } }) ],
    [ 'transports that are not strings', answer => ({ ...answer, response: { ...responseOf(answer), transports: [ {} ] } }) ],
    [ 'a login answer sent to register', () => device.get({ challenge: 'x' }) ],
  ]
  let judge = (label: string, status: number, error: unknown, user: unknown) => {
    t.ok(status >= 400 && status < 500, `${label}: ${status}`)
    t.equal(typeof error, 'string', `${label}: with {"error"}`)
    t.equal(user, null, `${label}: nobody signed in`)
  }

  // Every malformed answer through a warm Lambda (the built handlers, on Sandbox's tables), each
  // after its own options: a call there takes milliseconds, a request through Sandbox about 300
  // (a process each), and all of these over HTTP took 14 to 17 s of a mode's run
  let lambda = warmLambda(sandboxEnv({ ARC_APP_SECRET: await devSecret() }))
  t.teardown(() => lambda.close())
  let call = callsOf(lambda)
  t.equal((await signUp(askHandlers(call), device, uniqueName('Ada'))).status, 200, 'a member signs up (warm)')
  let answerMalformed = async (path: string, options: object, answerTo: (body: Record<string, unknown>) => Record<string, unknown>, malform: Malform) => {
    let ask = askHandlers(call)
    let asked = await ask(`${path}/options`, options)
    let reply = await ask.post(path, JSON.stringify(malform(answerTo(asked.body))) ?? '')
    let page = await call('get-index', event({ cookie: ask.cookie() || undefined }))
    return { status: reply.status, error: reply.body.error, user: bodyOf(page).user }
  }
  for (let [ label, malform ] of logins) {
    let { status, error, user } = await answerMalformed('/passkeys/login', {}, body => device.get(body as unknown as RequestOptions), malform)
    judge(label, status, error, user)
  }
  for (let [ label, malform ] of registrations) {
    let { status, error, user } = await answerMalformed('/passkeys/register', { name: uniqueName('Bent') }, body => authenticator(EVENT_ORIGIN).create(body as unknown as CreationOptions), malform)
    judge(`registration, ${label}`, status, error, user)
  }

  // And one of each over HTTP, as Sandbox hands the body on (the hostile-bodies matrix in
  // your-sessions.test.ts sends every kind of body through it)
  let { device: theirs } = await member()
  let browser = visitor()
  let options = await askOver(browser)('/passkeys/login/options', {})
  let [ loginLabel, loginMalform ] = logins[7]
  let login = await browser.post('/passkeys/login', JSON.stringify(loginMalform(theirs.get(options.body as unknown as RequestOptions))), { ...JSON_HEADERS, 'content-type': 'application/json' })
  judge(`over HTTP, ${loginLabel}`, login.status, login.json().error, await userOf(browser))
  let newcomer = visitor()
  let creation = await newcomer.post('/passkeys/register/options', { name: uniqueName('Bent') }, JSON_HEADERS)
  let [ registrationLabel, registrationMalform ] = registrations[1]
  let registration = await newcomer.post('/passkeys/register', JSON.stringify(registrationMalform(authenticator(SANDBOX_ORIGIN).create(creation.json<CreationOptions>()))), { ...JSON_HEADERS, 'content-type': 'application/json' })
  judge(`over HTTP, registration, ${registrationLabel}`, registration.status, registration.json().error, await userOf(newcomer))
})

test('a registration bent to another origin, RP ID or type is refused', async t => {
  for (let [ label, bend ] of [ [ 'another origin', { origin: 'https://evil.example' } ], [ 'another RP ID', { rpId: 'evil.example' } ], [ 'a webauthn.get type', { type: 'webauthn.get' } ] ] as [string, Bend][]) {
    let browser = visitor()
    let options = await browser.post('/passkeys/register/options', { name: uniqueName('Bent') }, JSON_HEADERS)
    let reply = await browser.post('/passkeys/register', authenticator(SANDBOX_ORIGIN).create(options.json<CreationOptions>(), bend), JSON_HEADERS)
    t.equal(reply.status, 401, `${label}: 401`)
    t.equal(await userOf(browser), null, `${label}: nobody signed in`)
  }
})

test('an answer with no options asked first is refused; a page form without the script is told why', async t => {
  let { device } = await member()
  let browser = visitor()
  let reply = await browser.post('/passkeys/login', device.get({ challenge: 'x' }), JSON_HEADERS)
  t.equal(reply.status, 400, 'no challenge in the session: 400')
  let form = await browser.post('/passkeys/login/options', '')
  t.equal(form.status, 302, 'a form post: back to the page')
  t.match((await browser.get('/')).text, /role="alert">Passkeys need JavaScript/, 'with the message')
})

test('deployed: the origin and RP ID are PASSKEY_ORIGIN\'s, whatever Host says; without it the function does not start', async t => {
  let production = warmLambda(sandboxEnv({ ARC_ENV: 'production', ARC_APP_SECRET: randomSecret() }))
  let ask = askHandlers(callsOf(production))
  let options = await ask('/passkeys/register/options', { name: uniqueName('Deployed') })
  t.equal((options.body as { rp: { id: string } }).rp.id, 'app.example.com', 'rp.id comes from PASSKEY_ORIGIN, not the Host header (localhost:3333)')
  let local = authenticator(EVENT_ORIGIN)
  t.equal((await ask('/passkeys/register', local.create(options.body as unknown as CreationOptions))).status, 401, 'an answer made for the Host\'s origin is refused')
  t.equal((await signUp(ask, authenticator(DEPLOYED_ORIGIN), uniqueName('Deployed'))).status, 200, 'one made for PASSKEY_ORIGIN signs up')
  production.close()

  for (let [ label, origin ] of [ [ 'missing', '' ], [ 'http', 'http://app.example.com' ], [ 'with a path', 'https://app.example.com/app' ] ]) {
    let broken = warmLambda(sandboxEnv({ ARC_ENV: 'staging', ARC_APP_SECRET: 'x'.repeat(1), PASSKEY_ORIGIN: origin }))
    let failed = await broken.call('post-passkeys-login-options', event({ method: 'POST', path: '/passkeys/login/options', json: {} })).then(() => '', (err: Error) => err.message)
    t.match(failed, /PASSKEY_ORIGIN (is not set|must be an https origin).*npx arc env -e staging -a PASSKEY_ORIGIN/s, `${label}: the function stops at cold start, saying what to set`)
    broken.close()
  }
  let page = warmLambda(sandboxEnv({ ARC_ENV: 'production', ARC_APP_SECRET: randomSecret(), PASSKEY_ORIGIN: '' }))
  t.equal((await page.call('get-index', event({}))).response.statusCode, 200, 'while GET /, which bundles no passkey code, still serves the page')
  page.close()
})

test('end', async t => end(t))

