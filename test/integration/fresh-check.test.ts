// The fresh check (src/shared/auth/fresh.ts, POST /passkeys/verify): adding a passkey and signing
// out everywhere need a passkey check within SESSION_FRESH_SECONDS (300), in both modes. Built
// handlers in a warm Lambda, so time can move.
import test from 'tape'
import { start, end, devSecret } from '../helpers/sandbox.ts'
import { event } from '../helpers/lambda.ts'
import { warmLambda, sandboxEnv, callsOf, type WarmLambda } from '../helpers/warm-lambda.ts'
import { askHandlers, authenticator, EVENT_ORIGIN, signUp, uniqueName } from '../helpers/passkeys.ts'
import type { Authenticator, RequestOptions } from '../helpers/authenticator.ts'

let lambda: WarmLambda
const t0 = Date.now() + 24 * 3_600_000

test('start Sandbox, and a warm Lambda', async t => {
  await start(t)
  lambda = warmLambda(sandboxEnv({ ARC_APP_SECRET: await devSecret() }))
})

/** A browser whose every request happens at the time it is given */
function browser (cookie = '') {
  let jar = cookie
  let ask = async (at: number, path: string, body: object) => {
    let asker = askHandlers(callsOf(lambda, at), jar)
    let reply = await asker(path, body)
    jar = asker.cookie()
    return reply
  }
  let state = async (at: number) => {
    let page = JSON.parse(String((await lambda.call('get-index', event({ cookie: jar || undefined }), at)).response.body)) as { user: { name: string } | null, count: number }
    let list = JSON.parse(String((await lambda.call('get-sessions', event({ cookie: jar || undefined }), at)).response.body)) as { sessions?: { handle: string, current: boolean }[] }
    return { user: page.user?.name ?? null, count: page.count, handle: list.sessions?.find(s => s.current)?.handle ?? null }
  }
  return { ask, state, cookie: () => jar }
}

/** A fresh check at `at` with `device`: the answers to the options and to the check */
async function check (client: ReturnType<typeof browser>, at: number, device: Authenticator) {
  let options = await client.ask(at, '/passkeys/verify/options', {})
  if (options.status !== 200) return { options, answer: options }
  return { options, answer: await client.ask(at, '/passkeys/verify', device.get(options.body as unknown as RequestOptions)) }
}

const REFUSED = { error: 'Confirm it is you with your passkey first, then try again', reauthenticate: true }

test('sign-up counts as a check for 300 s; after that, adding a passkey or signing out everywhere is a 403 asking for one, and changes nothing', async t => {
  let device = authenticator(EVENT_ORIGIN)
  let name = uniqueName('Fresh')
  let owner = browser()
  t.equal((await signUp(askHandlers(async (route, sent) => (await lambda.call(route, sent, t0)).response), device, name)).status, 200, 'signed up')
  // (the sign-up above kept its cookie to itself: this browser signs in at t0 too)
  let first = await owner.ask(t0, '/passkeys/login/options', {})
  t.equal((await owner.ask(t0, '/passkeys/login', device.get(first.body as unknown as RequestOptions))).status, 200, 'signed in at t0')
  await owner.ask(t0, '/count', { by: 2 })
  t.equal((await owner.ask(t0 + 300_000, '/passkeys/register/options', {})).status, 200, '300 s after sign-in, adding a passkey is allowed')
  let before = await owner.state(t0 + 301_000)
  let add = await owner.ask(t0 + 301_000, '/passkeys/register/options', {})
  t.deepEqual([ add.status, add.body ], [ 403, REFUSED ], '301 s after: adding a passkey is a 403 with reauthenticate')
  let everywhere = await owner.ask(t0 + 301_000, '/logout/everywhere', {})
  t.deepEqual([ everywhere.status, everywhere.body ], [ 403, REFUSED ], 'and so is signing out everywhere')
  t.deepEqual(await owner.state(t0 + 301_000), before, 'the session is as it was: signed in, the same count and handle')

  let { options, answer } = await check(owner, t0 + 302_000, device)
  t.equal(options.status, 200, 'POST /passkeys/verify/options: a challenge')
  t.equal(answer.status, 200, 'POST /passkeys/verify with the passkey: 200')
  t.deepEqual(await owner.state(t0 + 302_000), before, 'the check keeps the session\'s identity (its handle), its data and its owner')
  t.equal((await owner.ask(t0 + 302_000 + 300_000, '/passkeys/register/options', {})).status, 200, 'adding a passkey is allowed for 300 s after the check')
  t.equal((await owner.ask(t0 + 302_000 + 301_000, '/passkeys/register/options', {})).status, 403, 'freshness counts from the check: 301 s after it, refused again')
  let remove = await owner.ask(t0 + 700_000, '/passkeys/remove', { id: device.credentials[0].id })
  t.deepEqual([ remove.status, remove.body ], [ 403, REFUSED ], 'removing a passkey, stale: 403 with reauthenticate too')
  let newCode = await owner.ask(t0 + 700_000, '/recover/new', {})
  t.deepEqual([ newCode.status, newCode.body ], [ 403, REFUSED ], 'making a new recovery code, stale: 403 with reauthenticate too')
  await check(owner, t0 + 700_000, device)
  t.equal((await owner.ask(t0 + 700_000, '/passkeys/remove', { id: device.credentials[0].id })).status, 409, 'fresh, it gets as far as "your only passkey" (409)')
  let made = await owner.ask(t0 + 700_000, '/recover/new', {})
  t.equal(made.status, 200, 'and makes a new recovery code')
  t.equal((await owner.ask(t0 + 700_000, '/logout/everywhere', {})).status, 200, 'after another check, signing out everywhere goes through')

  let recovered = browser()
  t.equal((await recovered.ask(t0 + 900_000, '/recover', { name, code: made.body.recoveryCode })).status, 200, 'the new code signs in')
  t.equal((await recovered.ask(t0 + 1_200_000, '/passkeys/register/options', {})).status, 200, 'and that sign-in counts as a check for 300 s')
  t.equal((await recovered.ask(t0 + 1_201_000, '/passkeys/register/options', {})).status, 403, 'and no longer')
})

test('"sign out everywhere else" re-issues the session but is no check: a copied cookie cannot make itself fresh with it', async t => {
  let device = authenticator(EVENT_ORIGIN)
  let name = uniqueName('Copied')
  let owner = browser()
  await signUp(askHandlers(async (route, sent) => (await lambda.call(route, sent, t0)).response), device, name)
  let first = await owner.ask(t0, '/passkeys/login/options', {})
  await owner.ask(t0, '/passkeys/login', device.get(first.body as unknown as RequestOptions))
  let thief = browser(owner.cookie())
  t.equal((await thief.ask(t0 + 400_000, '/logout/others', {})).status, 200, 'the copy signs everyone else out, 400 s after the sign-in')
  let add = await thief.ask(t0 + 400_000, '/passkeys/register/options', {})
  t.deepEqual([ add.status, add.body ], [ 403, REFUSED ], 'and still cannot add a passkey of its own')
  t.equal((await thief.ask(t0 + 400_000, '/logout/everywhere', {})).status, 403, 'or sign out everywhere')
})

test('a check refuses another account\'s passkey (403), a sign-in\'s answer, a replay, a late answer, and a signed-out visitor', async t => {
  let device = authenticator(EVENT_ORIGIN)
  let other = authenticator(EVENT_ORIGIN)
  let client = browser()
  await signUp(askHandlers(async (route, sent) => (await lambda.call(route, sent, t0)).response), other, uniqueName('Other'))
  await signUp(askHandlers(async (route, sent) => (await lambda.call(route, sent, t0)).response), device, uniqueName('Mine'))
  let first = await client.ask(t0, '/passkeys/login/options', {})
  t.equal((await client.ask(t0, '/passkeys/login', device.get(first.body as unknown as RequestOptions))).status, 200, 'signed in')
  let at = t0 + 400_000

  let foreign = await check(client, at, other)
  t.deepEqual([ foreign.answer.status, foreign.answer.body.error ], [ 403, 'That passkey is not one of this account\'s' ], 'another account\'s passkey: 403')
  t.equal((await client.ask(at, '/passkeys/register/options', {})).status, 403, 'and the session is still not fresh')

  let login = await client.ask(at, '/passkeys/login/options', {})
  let crossed = await client.ask(at, '/passkeys/verify', device.get(login.body as unknown as RequestOptions))
  t.deepEqual([ crossed.status, crossed.body.error ], [ 400, 'Start again: this session has no passkey request to answer' ], 'a sign-in\'s challenge answered as a check: 400')
  let verifying = await client.ask(at, '/passkeys/verify/options', {})
  let reverse = await client.ask(at, '/passkeys/login', device.get(verifying.body as unknown as RequestOptions))
  t.equal(reverse.status, 400, 'a check\'s challenge answered as a sign-in: 400')

  let options = await client.ask(at, '/passkeys/verify/options', {})
  let answer = device.get(options.body as unknown as RequestOptions)
  let late = await client.ask(at + 301_000, '/passkeys/verify', answer)
  t.deepEqual([ late.status, late.body.error ], [ 400, 'That took too long; start again' ], 'an answer after 5 minutes: 400')
  let again = await client.ask(at + 301_000, '/passkeys/verify', answer)
  t.equal(again.status, 400, 'and the same answer once more: 400 (the challenge is spent)')
  t.equal((await client.ask(at + 301_000, '/passkeys/register/options', {})).status, 403, 'none of these made the session fresh')

  let signedOut = await browser().ask(at, '/passkeys/verify/options', {})
  t.deepEqual([ signedOut.status, signedOut.body.error ], [ 401, 'Sign in first' ], 'signed out, asking for a check: 401')
})

test('close the warm Lambda', async t => {
  lambda.close()
  t.pass('closed')
})

test('end Sandbox', end)
