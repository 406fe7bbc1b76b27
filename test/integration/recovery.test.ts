// Recovery codes (src/shared/auth/recovery.ts): shown once at sign-up, only their hash stored; POST
// /recover signs in with one, spends it and shows a new one; POST /recover/new makes another. Over
// HTTP, in both modes; a stale POST /recover/new is in fresh-check.test.ts.
import test from 'tape'
import arc from '@architect/functions'
import { createHash } from 'node:crypto'
import { start, end } from '../helpers/sandbox.ts'
import { visitor, JSON_HEADERS, type Visitor } from '../helpers/browser-like.ts'
import { askOver, authenticator, SANDBOX_ORIGIN, signUp, uniqueName } from '../helpers/passkeys.ts'

const CODE = /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){7}$/
const NO_MATCH = 'That name and recovery code do not match; check both and try again'

/** The account row, read behind the app's back */
async function accountRow (name: string): Promise<Record<string, unknown> | undefined> {
  return await (await arc.tables()).account.get({ name: name.toLowerCase() }) as Record<string, unknown> | undefined
}
const state = async (browser: Visitor) => (await browser.get('/', JSON_HEADERS)).json<{ user: { name: string } | null, count: number, flash: string | null }>()
const recover = (browser: Visitor, body: object) => browser.post('/recover', body, JSON_HEADERS)

/** A new account: its name, its signed-in browser and the recovery code its sign-up showed */
async function account (base: string) {
  let name = uniqueName(base)
  let browser = visitor()
  let signedUp = await signUp(askOver(browser), authenticator(SANDBOX_ORIGIN), name)
  return { name, browser, code: String(signedUp.body.recoveryCode), signedUp }
}

test('start Sandbox', start)

test('sign-up shows a recovery code once, of 160 random bits; only its SHA-256 is stored, and GET /passkeys says one is set', async t => {
  let { name, browser, code, signedUp } = await account('Coded')
  t.equal(signedUp.status, 200, 'signed up')
  t.match(code, CODE, 'the answer shows a code: 32 characters of Crockford\'s base32 (160 bits), in groups of four')
  let row = await accountRow(name)
  t.equal(row?.recoveryHash, createHash('sha256').update(code.replaceAll('-', '')).digest('base64url'), 'the account row holds its SHA-256')
  t.notOk(JSON.stringify(row).includes(code.slice(0, 9)), 'and not the code')
  t.equal((await browser.get('/passkeys', JSON_HEADERS)).json().hasRecoveryCode, true, 'GET /passkeys: hasRecoveryCode')
  t.equal((await browser.get('/', JSON_HEADERS)).text.includes(code), false, 'the next page does not show it again')
  let other = await account('Other')
  t.notEqual(other.code, code, 'each account gets its own')
})

test('POST /recover with the right code: a new session identity, signed in; the code is spent, a new one is shown; the other sessions stay', async t => {
  let { name, browser, code } = await account('Recover')
  let lost = visitor()
  await lost.post('/count', { by: 3 }, JSON_HEADERS)
  let before = lost.cookie
  // Typed by hand: lower case, spaces for dashes, O for 0 and l for 1 (Crockford's base32 reads them so)
  let typed = code.toLowerCase().replaceAll('-', ' ').replaceAll('0', 'O').replaceAll('1', 'l')
  let recovered = await recover(lost, { name: name.toUpperCase(), code: typed })
  t.equal(recovered.status, 200, 'signed in with the code, as typed by hand, with the name in another case')
  let answer = recovered.json<{ user: { name: string }, count: number, recoveryCode: string }>()
  t.deepEqual([ answer.user, answer.count ], [ { name }, 3 ], 'as the account, keeping the session\'s count')
  t.match(answer.recoveryCode, CODE, 'the answer shows a new code')
  t.notEqual(answer.recoveryCode, code, 'another one')
  t.notEqual(lost.cookie, before, 'a new session identity: another cookie')
  let page = await state(lost)
  t.deepEqual([ page.user, page.flash ], [ { name }, 'You signed in with your recovery code: add a passkey for this device now, and keep your new code' ], 'the next page asks to add a passkey')
  t.equal((await state(visitor(before))).user, null, 'the cookie from before it is not signed in')
  t.deepEqual((await state(browser)).user, { name }, 'and the sign-up\'s session is still signed in: recovery signs nobody out')
  t.equal((await lost.post('/passkeys/register/options', {}, JSON_HEADERS)).status, 200, 'the recovered session may add a passkey at once: it counts as a check')

  let reused = await recover(visitor(), { name, code })
  t.deepEqual([ reused.status, reused.json().error ], [ 401, NO_MATCH ], 'the spent code: 401')
  t.equal((await recover(visitor(), { name, code: answer.recoveryCode })).status, 200, 'the new one works')
  let events = (await browser.get('/activity', JSON_HEADERS)).json<{ events: { type: string }[] }>().events
  t.deepEqual(events.filter(e => e.type === 'recovered').length, 2, 'each recovery is in the account\'s activity')
})

test('a wrong code, a name nobody has and an account without a code get the same 401; bad fields a 400; nothing is signed in', async t => {
  let { name, code } = await account('Guarded')
  let legacy = uniqueName('Legacy')
  await (await arc.tables()).account.put({ name: legacy.toLowerCase(), display: legacy, userId: 'bGVnYWN5LXVzZXItaWQ', created: Date.now() })
  let wrong = code.replace(/^./, c => c === 'A' ? 'B' : 'A')
  for (let [ label, body ] of [ [ 'a wrong code', { name, code: wrong } ], [ 'a name nobody has', { name: uniqueName('Nobody'), code } ], [ 'an account made before codes existed', { name: legacy, code } ] ] as const) {
    let browser = visitor()
    let reply = await recover(browser, body)
    t.deepEqual([ reply.status, reply.json().error ], [ 401, NO_MATCH ], `${label}: 401, the same message`)
    t.equal((await state(browser)).user, null, 'not signed in')
  }
  for (let [ label, body ] of [ [ 'no code', { name } ], [ 'no name', { code } ], [ 'a code that is a number', { name, code: 7 } ], [ 'a 65-character code', { name, code: 'A'.repeat(65) } ] ] as const) {
    let reply = await recover(visitor(), body)
    t.deepEqual([ reply.status, reply.json().error ], [ 400, 'Give your name and your recovery code' ], `${label}: 400`)
  }
  t.equal((await recover(visitor(), { name, code, remember: 'yes' })).status, 400, 'remember that is not a boolean: 400')
  let form = await visitor().post('/recover', `name=${encodeURIComponent(name)}&code=${code}`)
  t.deepEqual([ form.status, form.headers.get('location') ], [ 302, '/' ], 'a form posted without the script: back to the page, which says it needs JavaScript')
  t.equal((await recover(visitor(), { name, code })).status, 200, 'and the code still works after all of these')
})

test('two requests with one code: exactly one signs in', async t => {
  let { name, code } = await account('Raced')
  let [ one, two ] = [ visitor(), visitor() ]
  let replies = await Promise.all([ recover(one, { name, code }), recover(two, { name, code }) ])
  t.deepEqual(replies.map(reply => reply.status).sort(), [ 200, 401 ], 'one 200, one 401')
  let signedIn = await Promise.all([ one, two ].map(async browser => (await state(browser)).user !== null))
  t.deepEqual(signedIn.sort(), [ false, true ], 'and one browser is signed in')
})

test('POST /recover/new: signed in, a new code that works, and the old one no longer does', async t => {
  let { name, browser, code } = await account('Renewed')
  let made = await browser.post('/recover/new', {}, JSON_HEADERS)
  let fresh = made.json<{ recoveryCode: string }>().recoveryCode
  t.deepEqual([ made.status, CODE.test(fresh) ], [ 200, true ], 'a new code, shown in the answer')
  t.equal((await recover(visitor(), { name, code })).status, 401, 'the old one is spent')
  t.equal((await recover(visitor(), { name, code: fresh })).status, 200, 'the new one signs in')
  let signedOut = await visitor().post('/recover/new', {}, JSON_HEADERS)
  t.deepEqual([ signedOut.status, signedOut.json().error ], [ 401, 'Sign in first' ], 'signed out: 401')
  let events = (await browser.get('/activity', JSON_HEADERS)).json<{ events: { type: string }[] }>().events
  t.deepEqual(events.map(e => e.type).slice(0, 2), [ 'recovered', 'recovery-code-made' ], 'both are in the account\'s activity')

  let legacy = visitor()
  let before = await signUp(askOver(legacy), authenticator(SANDBOX_ORIGIN), uniqueName('Older'))
  let key = String((before.body.user as { name: string }).name).toLowerCase()
  let { recoveryHash: _gone, ...row } = await accountRow(key) ?? {}
  await (await arc.tables()).account.put(row)
  t.equal((await legacy.get('/passkeys', JSON_HEADERS)).json().hasRecoveryCode, false, 'an account without a code: hasRecoveryCode is false')
  let first = await legacy.post('/recover/new', {}, JSON_HEADERS)
  t.equal(first.status, 200, 'and it can make one')
  t.equal((await legacy.get('/passkeys', JSON_HEADERS)).json().hasRecoveryCode, true, 'then it has one')
})

test('end Sandbox', end)
