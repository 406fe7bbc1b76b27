// Signing in and out, session fixation, escaping and the size limit, over HTTP against Sandbox.
// (The passkey ceremonies themselves, and everything they refuse: passkeys.test.ts.)
import test from 'tape'
import { start, end, mode } from '../helpers/sandbox.ts'
import { visitor, cookieValue, JSON_HEADERS, type Visitor } from '../helpers/browser-like.ts'
import { askOver, authenticator, SANDBOX_ORIGIN, signUp, uniqueName } from '../helpers/passkeys.ts'
import { getRow, isRetired } from '../helpers/table.ts'

test('start Sandbox', start)

/** Signs `browser` up under `name` with a new passkey: the answer to POST /passkeys/register */
const signUpAs = (browser: Visitor, name: string) => signUp(askOver(browser), authenticator(SANDBOX_ORIGIN), name)

test('signing up with a passkey shows the name; signing out clears it', async t => {
  let browser = visitor()
  let name = uniqueName('Ada')
  t.equal((await signUpAs(browser, name)).status, 200, 'signed up')
  t.match((await browser.get('/')).text, new RegExp(`Signed in as <strong>${name}</strong>`), 'the page names the user')
  t.deepEqual((await browser.get('/', JSON_HEADERS)).json().user, { name }, 'the page shows the signed-in user')

  let logout = await browser.post('/logout', '')
  t.equal(logout.status, 302, 'sign-out answers 302')
  t.match(logout.setCookie ?? '', /^_idx=; Max-Age=0; Path=\/; HttpOnly; SameSite=Lax$/, 'the cookie is cleared')
  t.equal(logout.headers.get('cache-control'), 'no-store', 'and is never cached')
  let after = await browser.get('/', JSON_HEADERS)
  t.equal(after.json().user, null, 'signed out')
})

test('signing up keeps the session data, and JSON clients get the new state', async t => {
  let browser = visitor()
  await browser.post('/count', { by: 6 }, JSON_HEADERS)
  await browser.post('/cart', { item: 'tea' }, JSON_HEADERS)
  let name = uniqueName('Grace Hopper')
  let res = await signUpAs(browser, `  ${name} `)
  t.equal(res.status, 200, 'answered 200')
  t.deepEqual(res.body, { mode, count: 6, user: { name }, cart: [ 'tea' ], flash: null, recoveryCode: res.body.recoveryCode }, 'name trimmed, count and cart kept, and the recovery code shown')
})

test('a bad name gets a 400 for JSON clients; a form without the page\'s script is told passkeys need it', async t => {
  let browser = visitor()
  // The last five draw nothing, or hide a character: Hangul fillers, a combining grapheme joiner,
  // the blank Braille pattern, and `admin` with a variation selector
  for (let name of [ '', '   ', 'x'.repeat(41), 'tab\there', 42, '\u3164', '\u115F\u1160', '\u034F', '\u2800', 'admin\uFE0F' ]) {
    let res = await browser.post('/passkeys/register/options', { name }, JSON_HEADERS)
    t.equal(res.status, 400, `${JSON.stringify(name)} is refused`)
    t.match(res.json<{ error: string }>().error, /1 to 40 printable characters/, 'the error says what a name may be')
  }
  let form = await browser.post('/passkeys/register/options', 'name=Ada')
  t.equal(form.status, 302, 'the page\'s form, posted without its script: back to the page')
  t.match((await browser.get('/')).text, /class="flash" role="alert">Passkeys need JavaScript/, 'which says why, once')
  t.doesNotMatch((await browser.get('/')).text, /class="flash"/, 'shown once')
})

test('a name with markup is shown as text, never run', async t => {
  let browser = visitor()
  await signUpAs(browser, uniqueName('<script>alert(1)</script>'))
  let page = (await browser.get('/')).text
  t.match(page, /Signed in as <strong>&lt;script&gt;alert\(1\)&lt;\/script&gt; \w+<\/strong>/, 'the name is escaped')
  t.doesNotMatch(page, /<script>alert/, 'no script from the name')
})

test('session fixation: a cookie captured before sign-in does not carry the sign-in', async t => {
  let browser = visitor()
  await browser.post('/count', { by: 3 }, JSON_HEADERS)
  let captured = browser.cookie
  await signUpAs(browser, uniqueName('Ada'))
  t.notEqual(browser.cookie, captured, 'signing in issues a new cookie')

  let attacker = visitor(captured)
  let seen = (await attacker.get('/', JSON_HEADERS)).json()
  t.equal(seen.user, null, 'the captured cookie is not signed in')
  if (mode === 'table') {
    t.equal(seen.count, 0, 'table mode: the old id is gone, so it reads as a fresh session')
    t.ok(isRetired(await getRow(cookieValue(captured).split('.')[0])), 'table mode: the old row is retired: a marker without the session\'s data')
  }
  else {
    t.equal(seen.count, 3, 'cookie mode: the old cookie still holds the old, signed-out data (nothing to revoke)')
  }
})

test('replaying a cookie after sign-out: table mode forgets it, cookie mode cannot', async t => {
  let browser = visitor()
  let name = uniqueName('Ada')
  await signUpAs(browser, name)
  let stolen = browser.cookie
  await browser.post('/logout', '')
  let replay = (await visitor(stolen).get('/', JSON_HEADERS)).json()
  if (mode === 'table') {
    t.equal(replay.user, null, 'table mode: the row is deleted, so the cookie reads as a fresh session')
  }
  else {
    t.deepEqual(replay.user, { name }, 'cookie mode: a copied cookie stays valid until it expires (documented)')
  }
})

test('a session that would outgrow the cookie limit is refused, and the stored session is kept', async t => {
  let browser = visitor()
  // 100 characters of 4 bytes each in UTF-8, the longest item: the limit counts the record's bytes,
  // not its characters, and is reached in a few requests (a request through Sandbox is about 300 ms)
  let item = '\u{1F6D2}'.repeat(100)
  let added = 0
  let largestCookie = 0
  let last = await browser.post('/cart', { item }, JSON_HEADERS)
  while (last.status === 200 && added < 40) {
    added++
    largestCookie = Math.max(largestCookie, last.setCookie?.length ?? 0)
    last = await browser.post('/cart', { item }, JSON_HEADERS)
  }
  t.equal(last.status, 413, `item ${added + 1} is refused with 413`)
  t.ok(largestCookie > 0 && largestCookie <= 4096, `the largest Set-Cookie sent was ${largestCookie} bytes, within the 4096 browsers keep`)
  t.match(last.json<{ error: string }>().error, /too large/, 'the error says the session is too large')
  t.equal(last.setCookie, null, 'no cookie is sent for the refused write')
  t.equal((await browser.get('/', JSON_HEADERS)).json<{ cart: string[] }>().cart.length, added, 'the cart is as it was')

  let form = await browser.post('/cart', `item=${encodeURIComponent(item)}`)
  t.equal(form.status, 302, 'a form post is redirected')
  let page = (await browser.get('/')).text
  t.match(page, /class="flash" role="alert">That would make your session too large/, 'and told why')
  t.equal((await browser.get('/', JSON_HEADERS)).json<{ cart: string[] }>().cart.length, added, 'the cart is still as it was')
})

test('end Sandbox', end)
