// What a visitor sees, over HTTP against Sandbox. npm test runs this file once per mode.
import test from 'tape'
import arc from '@architect/functions'
import jwt from 'node-webtokens'
import { start, end, mode, devSecret } from '../helpers/sandbox.ts'
import { visitor, cookieValue, JSON_HEADERS } from '../helpers/browser-like.ts'
import { allRows, getRow } from '../helpers/table.ts'

const WEEK = 7 * 24 * 60 * 60

test('start Sandbox', start)

test('a new visitor sees count 0, gets no cookie, and costs no table row', async t => {
  let rowsBefore = mode === 'table' ? (await allRows()).length : 0
  let res = await visitor().get('/', JSON_HEADERS)
  t.equal(res.status, 200, 'GET / answers 200')
  t.deepEqual(res.json(), { mode, count: 0, user: null, cart: [], flash: null }, 'a new visitor\'s state: count 0, signed out, an empty cart, no flash')
  t.equal(res.setCookie, null, 'no Set-Cookie')
  if (mode === 'table') t.equal((await allRows()).length, rowsBefore, 'no row written')
})

test('the page shows the count, the mode and a form that posts to /count', async t => {
  let res = await visitor().get('/')
  t.equal(res.status, 200, 'GET / answers 200')
  t.match(res.headers.get('content-type') ?? '', /text\/html/, 'an HTML page')
  t.match(res.text, /<p class="count" id="count">0<\/p>/, 'count 0')
  t.match(res.text, new RegExp(`${mode === 'cookie' ? 'Cookie' : 'Table'} mode`), 'names the mode')
  t.match(res.text, /<form method="post" action="\/count">/, 'a form that posts to /count')
})

test('the page says where the session lives: the cookie, its size as sent, when it ends, and in table mode its row', async t => {
  let browser = visitor()
  t.match((await browser.get('/')).text, /You have no session yet/, 'before the first count: no session')
  let before = Date.now()
  await browser.post('/count', { by: 1 }, JSON_HEADERS)
  let after = Date.now()
  let page = (await browser.get('/')).text
  t.ok(page.includes(`holds a <strong>${Buffer.byteLength(browser.cookie)}-byte</strong> <code>_idx</code> cookie`), 'the cookie\'s name, and its size as the browser sent it')
  let weekFrom = (ms: number) => new Date(ms + WEEK * 1000).toISOString().replace('T', ' ').slice(0, 16) + ' UTC'
  t.ok([ before, after ].map(weekFrom).some(end => page.includes(end)), 'it ends a week after the count')
  if (mode === 'table') t.ok(page.includes(`<code>${cookieValue(browser.cookie).slice(0, 8)}…</code>`), 'table mode: the start of its row id')
})

test('POST /count from a form redirects to / with a session cookie, and the next GET shows it', async t => {
  let browser = visitor()
  let res = await browser.post('/count', '')
  t.equal(res.status, 302, 'a form post answers 302')
  t.equal(res.headers.get('location'), '/', 'back to the page')
  t.match(res.setCookie ?? '', /^_idx=[^;]+; Max-Age=604800; Path=\/; HttpOnly; SameSite=Lax$/, 'HttpOnly, Lax, 7-day cookie')
  t.equal(res.headers.get('cache-control'), 'no-store', 'and is never cached')
  let page = await browser.get('/')
  t.match(page.text, /<p class="count" id="count">1<\/p>/, 'the next page shows count 1')
})

test('POST /count adds `by`, from a form or from JSON', async t => {
  let browser = visitor()
  await browser.post('/count', 'by=5')
  let res = await browser.post('/count', { by: 37 }, JSON_HEADERS)
  t.equal(res.status, 200, 'POST /count answers 200')
  t.equal(res.json().count, 42, 'with the count added')
  await browser.post('/count', { by: '8' }, JSON_HEADERS)
  t.equal((await browser.get('/', JSON_HEADERS)).json().count, 50, 'a number in a JSON string counts too, and the count is kept')
})

test('a bad `by` gets a 400 for JSON clients and the count is kept', async t => {
  let browser = visitor()
  await browser.post('/count', { by: 3 }, JSON_HEADERS)
  for (let by of [ 0, 101, -1, 2.5, '', 'abc', '1e1', null, true, [ 1 ], { n: 1 } ]) {
    let res = await browser.post('/count', { by }, JSON_HEADERS)
    t.equal(res.status, 400, `by=${JSON.stringify(by)} is refused`)
    t.match(res.json<{ error: string }>().error, /"by" must be a whole number from 1 to 100/, 'a bad by is told what is allowed')
  }
  t.equal((await browser.get('/', JSON_HEADERS)).json().count, 3, 'count unchanged')
})

test('malformed, oversized or wrongly typed bodies get a 400 with a message', async t => {
  let browser = visitor()
  let cases: [string, string, Record<string, string>, RegExp][] = [
    [ 'invalid JSON', '{"by":', { 'content-type': 'application/json' }, /not valid JSON/ ],
    [ 'a JSON array', '[1]', { 'content-type': 'application/json' }, /must be an object/ ],
    [ 'a 9 KB body', 'by=' + '1'.repeat(9 * 1024), { 'content-type': 'application/x-www-form-urlencoded' }, /over 8192 bytes/ ],
    [ 'text/plain', 'by=1', { 'content-type': 'text/plain' }, /application\/json or application\/x-www-form-urlencoded/ ],
    [ 'a repeated field', 'by=1&by=2', { 'content-type': 'application/x-www-form-urlencoded' }, /"by" is given more than once/ ],
  ]
  for (let [ name, body, headers, message ] of cases) {
    let res = await browser.post('/count', body, { ...JSON_HEADERS, ...headers })
    t.equal(res.status, 400, `${name}: 400`)
    t.match(res.json<{ error: string }>().error, message, `${name}: says why`)
  }
  t.equal(browser.cookie, '', 'no session was started by bad input')
})

test('a bad `by` from a form redirects to / and the page shows the error exactly once', async t => {
  let browser = visitor()
  await browser.post('/count', 'by=2')
  let res = await browser.post('/count', 'by=1000')
  t.equal(res.status, 302, 'a form post answers 302')
  t.equal(res.headers.get('location'), '/', 'back to the page')
  let first = await browser.get('/')
  t.match(first.text, /<p class="flash" role="alert">&quot;by&quot; must be a whole number from 1 to 100<\/p>/, 'error shown')
  t.match(first.text, /id="count">2</, 'count kept')
  let second = await browser.get('/')
  t.doesNotMatch(second.text, /class="flash"/, 'error gone on the next page')
})

test('plain arc.http.session.read opens the cookie this app writes', async t => {
  let browser = visitor()
  await browser.post('/count', { by: 9 }, JSON_HEADERS)
  process.env.ARC_APP_SECRET = await devSecret()
  process.env.ARC_SESSION_TABLE_NAME = mode === 'cookie' ? 'jwe' : 'session'
  let session: Record<string, unknown> = await arc.http.session.read({ headers: { cookie: browser.cookie } } as never)
  t.equal(session.count, 9, 'plain Architect reads count 9')
})

test('a session plain arc.http() wrote carries over, so an app can adopt the wrapper without signing anyone out', async t => {
  process.env.ARC_APP_SECRET = await devSecret()
  process.env.ARC_SESSION_TABLE_NAME = mode === 'cookie' ? 'jwe' : 'session'
  // What arc.http() does: read (in table mode that creates the row), then write the new data
  let started: Record<string, unknown> = await arc.http.session.read({ headers: {} } as never)
  let setCookie: string = await arc.http.session.write({ ...started, count: 6 })
  let browser = visitor(setCookie.split(';')[0])
  t.equal((await browser.get('/', JSON_HEADERS)).json().count, 6, 'read')
  let res = await browser.post('/count', { by: 1 }, JSON_HEADERS)
  t.equal(res.status, 200, 'and written again')
  t.equal((await browser.get('/', JSON_HEADERS)).json().count, 7, 'count 7')
})

if (mode === 'cookie') {
  test('cookie mode: the cookie is a JWE (dir, A256GCM) and nothing is written to the table', async t => {
    // (other files' passkey answers and sign-outs leave rows of their own: this visitor adds none)
    let rowsBefore = (await allRows()).length
    let browser = visitor()
    await browser.post('/count', { by: 2 }, JSON_HEADERS)
    let token = cookieValue(browser.cookie)
    t.equal(token.split('.').length, 5, 'five JWE segments')
    let header: unknown = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString())
    t.deepEqual(header, { alg: 'dir', enc: 'A256GCM' }, 'the cookie is sealed with dir and A256GCM')
    let opened = jwt.parse(token).verify(Buffer.from((await devSecret()).slice(0, 32)).toString('base64'))
    t.equal(opened.payload?.count, 2, 'sealed with the first 32 characters of ARC_APP_SECRET')
    t.deepEqual(Object.keys(opened.payload ?? {}).sort(), [ '_aud', '_renewed', '_since', 'cart', 'count', 'iat', 'user' ],
      'the app\'s data and the wrapper\'s fields; locally no `_host` (only deployed stages write for `__Host-idx`)')
    t.equal((await allRows()).length, rowsBefore, 'no row was written to the session table')
  })
}

if (mode === 'table') {
  test('table mode: the cookie is a signed id, and the row has `_ttl` 7 days ahead', async t => {
    let browser = visitor()
    let before = Math.floor(Date.now() / 1000)
    await browser.post('/count', { by: 4 }, JSON_HEADERS)
    let value = cookieValue(browser.cookie)
    t.match(value, /^[\w-]{24}\.[\w+/]{43}$/, 'a 24-character id, a dot and an HMAC-SHA256 signature')
    let row = await getRow(value.split('.')[0])
    t.ok(row, 'the row exists')
    t.equal(row?.count, 4, 'the data is in the row')
    t.deepEqual(Object.keys(row ?? {}).sort(), [ '_aud', '_idx', '_renewed', '_secret', '_since', '_ttl', '_version', '_write', 'cart', 'count', 'user' ],
      'the app\'s data and the wrapper\'s fields; locally no `_host` (only deployed stages write for `__Host-idx`)')
    let ttl = Number(row?._ttl)
    t.ok(ttl >= before + WEEK && ttl <= before + WEEK + 60, `_ttl is 7 days ahead (${ttl - before} s)`)
  })
}

test('end Sandbox', end)
