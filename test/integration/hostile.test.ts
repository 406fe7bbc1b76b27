// Hostile input. Every case must end in a 2xx/3xx with a fresh or unchanged session, or a 4xx
// with a message: never a 5xx, a hang, or a table row for a request that stored nothing.
import test from 'tape'
import arc from '@architect/functions'
import jwt from 'node-webtokens'
import { sign } from 'cookie-signature'
import { start, end, mode, devSecret, base } from '../helpers/sandbox.ts'
import { visitor, cookieValue, JSON_HEADERS, type Reply } from '../helpers/browser-like.ts'
import { allRows } from '../helpers/table.ts'
import { seal } from '../helpers/jwe.ts'
import { readLogLines, type LogLines } from '../helpers/log-lines.ts'
import { randomSecret } from '../helpers/secrets.ts'

const OTHER_SECRET = randomSecret()

let good = '' // the cookie value of a visitor whose count is 5
let rowsBefore = 0
let log: LogLines
// Every cookie value sent below: the log must hold none of them
let sent = new Set<string>()

function flipOneByte (text: string, at: number): string {
  let chars = [ ...text ]
  chars[at] = chars[at] === 'A' ? 'B' : 'A'
  return chars.join('')
}

/** Cookies an attacker could send instead of `good`, each labelled */
function forgeries (secret: string): [string, string][] {
  if (mode === 'cookie') {
    let segments = good.split('.')
    let flipped = segments.map((segment, i): [string, string] => {
      // the second segment (the encrypted key) is empty in `dir` mode; tamper by filling it
      let changed = segment ? flipOneByte(segment, Math.floor(segment.length / 2)) : 'AAAA'
      return [ `a byte flipped in JWE segment ${i + 1}`, segments.with(i, changed).join('.') ]
    })
    let otherKey = Buffer.from(OTHER_SECRET.slice(0, 32)).toString('base64')
    let payload = { count: 99, _renewed: Date.now() }
    // The IV's last character with its unused low bits set: the same bytes, another spelling
    let iv = segments[2]
    let respelled = segments.with(2, iv.slice(0, -1) + (iv.at(-1) === 'A' ? 'B' : 'A')).join('.')
    return [
      ...flipped,
      [ 'a JWE sealed with another secret', jwt.generate('dir', 'A256GCM', payload, otherKey) ],
      [ 'a JWS signed with the app key (wrong algorithm)', jwt.generate('HS256', payload, Buffer.from(secret.slice(0, 32)).toString('base64')) ],
      [ 'a truncated JWE', good.slice(0, -10) ],
      [ 'the tag cut to 12 bytes', good.slice(0, -5) ],
      [ 'the tag cut to 4 bytes', good.slice(0, -16) ],
      [ 'a segment spelled another way', respelled ],
      [ 'a header with `zip`, sealed with the app key', seal(payload, secret, { header: { alg: 'dir', enc: 'A256GCM', zip: 'DEF' } }) ],
      [ 'a header with another field (`kid`), sealed with the app key', seal(payload, secret, { header: { alg: 'dir', enc: 'A256GCM', kid: '1' } }) ],
      [ 'a header naming A128GCM', seal(payload, secret, { header: { alg: 'dir', enc: 'A128GCM' } }) ],
    ]
  }
  let [ id, signature ] = good.split('.')
  return [
    [ 'a byte flipped in the id', `${flipOneByte(id, 3)}.${signature}` ],
    [ 'a byte flipped in the signature', `${id}.${flipOneByte(signature, 3)}` ],
    [ 'the id re-signed with another secret', sign(id, OTHER_SECRET) ],
    [ 'the id without a signature', id ],
    [ 'a truncated id', good.slice(1) ],
    [ 'a made-up id signed with another secret', sign('made-up-id-000000000000', OTHER_SECRET) ],
  ]
}

function assertFresh (t: test.Test, res: Reply, label: string) {
  t.equal(res.status, 200, `${label}: 200`)
  t.equal(res.json().count, 0, `${label}: a fresh session`)
}

test('start Sandbox, and a visitor with count 5', async t => {
  await start(t)
  log = readLogLines()
  let browser = visitor()
  await browser.post('/count', { by: 5 }, JSON_HEADERS)
  good = cookieValue(browser.cookie)
  // (the files before this one, in the same Sandbox, wrote rows of their own)
  rowsBefore = (await allRows()).length
})

test('forged, tampered and truncated cookies read as a fresh session, and are cleared', async t => {
  for (let [ label, value ] of forgeries(await devSecret())) {
    sent.add(value)
    let res = await visitor(`_idx=${encodeURIComponent(value)}`).get('/', JSON_HEADERS)
    assertFresh(t, res, label)
    t.match(res.setCookie ?? '', /^_idx=; Max-Age=0/, `${label}: the bad cookie is cleared`)
  }
})

test('odd cookie headers read as a fresh session', async t => {
  let cases: [string, string][] = [
    [ 'an empty _idx=', '_idx=' ],
    [ 'a 10 KB cookie', `_idx=${'a'.repeat(10 * 1024)}` ],
    [ 'bad percent-encoding', '_idx=%E0%A4%A' ],
    [ 'a JWE header that decodes to null', '_idx=bnVsbA....' ],
    // Two of one name: which one is the visitor's cannot be told (sibling-domain.test.ts), so neither is read
    [ 'a good cookie followed by a bad one', `_idx=${encodeURIComponent(good)}; _idx=garbage` ],
    [ 'a bad cookie followed by the good one', `_idx=garbage; _idx=${encodeURIComponent(good)}` ],
  ]
  for (let [ label, cookie ] of cases) {
    assertFresh(t, await visitor(cookie).get('/', JSON_HEADERS), label)
  }
})

test('hostile bodies get a 4xx with a message, and the session is unchanged', async t => {
  let browser = visitor(`_idx=${encodeURIComponent(good)}`)
  let cases: [string, string, string][] = [
    [ 'invalid JSON', '{"by": 1', 'application/json' ],
    [ 'JSON null', 'null', 'application/json' ],
    [ 'the wrong content type', '<by>1</by>', 'application/xml' ],
    [ 'a 1 MB body', `by=${'9'.repeat(1024 * 1024)}`, 'application/x-www-form-urlencoded' ],
    [ 'repeated form fields', 'by=1&by=100', 'application/x-www-form-urlencoded' ],
    [ 'a form field with bad percent-encoding', 'by=%E0%A4%A', 'application/x-www-form-urlencoded' ],
  ]
  for (let [ label, body, type ] of cases) {
    let res = await browser.post('/count', body, { ...JSON_HEADERS, 'content-type': type })
    t.equal(res.status, 400, `${label}: 400`)
    t.ok(res.json<{ error: string }>().error.length > 10, `${label}: with a message`)
  }
  t.equal((await browser.get('/', JSON_HEADERS)).json().count, 5, 'count still 5')
})

test('form fields named like built-in object properties are ordinary fields', async t => {
  let browser = visitor(`_idx=${encodeURIComponent(good)}`)
  for (let name of [ 'constructor', 'toString', '__proto__', 'hasOwnProperty' ]) {
    let res = await browser.post('/cart', `item=apple&${name}=1`, JSON_HEADERS)
    t.equal(res.status, 200, `item=apple&${name}=1: accepted`)
  }
  t.equal((await browser.get('/', JSON_HEADERS)).json<{ cart: string[] }>().cart.length, 4, 'each added its item')
})

if (mode === 'cookie') {
  test('upstream: plain arc.http.session.read opens a cookie whose tag was cut to 4 bytes; this app does not', async t => {
    process.env.ARC_APP_SECRET = await devSecret()
    process.env.ARC_SESSION_TABLE_NAME = 'jwe'
    let cut = good.slice(0, -16)
    let read: Record<string, unknown> = await arc.http.session.read({ headers: { cookie: `_idx=${cut}` } } as never)
    t.equal(read.count, 5, 'Architect (node-webtokens) reads count 5 from it: a 32-bit tag is all a forger must guess')
    t.equal((await visitor(`_idx=${cut}`).get('/', JSON_HEADERS)).json().count, 0, 'the wrapper reads a fresh session')
  })
}

test('unknown paths and methods get a 4xx', async t => {
  for (let [ method, path ] of [ [ 'GET', '/nope' ], [ 'DELETE', '/' ], [ 'PUT', '/count' ], [ 'GET', '/count' ], [ 'POST', '/../../etc/passwd' ] ]) {
    let res = await fetch(`${base}${path}`, { method, headers: { cookie: `_idx=${encodeURIComponent(good)}` } })
    t.ok(res.status >= 400 && res.status < 500, `${method} ${path}: ${res.status}`)
  }
})

test('POSTs from another site are refused with a 403; same-origin and header-less ones pass', async t => {
  let browser = visitor(`_idx=${encodeURIComponent(good)}`)
  let refused: [string, Record<string, string>][] = [
    [ 'another origin', { origin: 'https://evil.example' } ],
    [ 'a sibling subdomain (same site, other origin)', { origin: base.replace('localhost', 'evil.localhost') } ],
    [ 'Origin: null', { origin: 'null' } ],
    [ 'Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' } ],
  ]
  for (let [ label, headers ] of refused) {
    let res = await browser.post('/count', { by: 1 }, { ...JSON_HEADERS, ...headers })
    t.equal(res.status, 403, `${label}: 403`)
    t.match(res.json<{ error: string }>().error, /came from another site/, `${label}: says why`)
  }
  let form = await browser.post('/logout', '', { origin: 'https://evil.example' })
  t.equal(form.status, 403, 'a cross-site form cannot sign anyone out')
  t.match(form.text, /<title>403<\/title>.*<p>This request came from another site, so it was refused<\/p><p><a href="\/">Back<\/a><\/p>/, 'and a browser gets a page that says why, with a way back')
  t.equal((await browser.get('/', JSON_HEADERS)).json().count, 5, 'nothing changed')

  let same = await browser.post('/count', 'by=1', { origin: base, 'sec-fetch-site': 'same-origin' })
  t.equal(same.status, 302, 'a same-origin form post works')
  let bare = await browser.post('/count', { by: 1 }, JSON_HEADERS)
  t.equal(bare.json().count, 7, 'a client that sends no Origin (curl, tests) works')
  // A link from another site is a GET: it changes nothing, and the visitor expects their page
  let followed = await browser.get('/', { ...JSON_HEADERS, 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' })
  t.equal(followed.status, 200, 'a GET from another site (a link) is answered')
  t.equal(followed.json().count, 7, 'with the visitor\'s own session')
})

test('none of that wrote a table row', async t => {
  let rows = await allRows()
  t.equal(rows.length, rowsBefore, mode === 'table' ? 'only the one real visitor has a row' : 'cookie mode never writes rows')
})

test('the log of all of the above holds no cookie, row id or signature, and says what was refused', async t => {
  log.stop()
  let text = log.lines().join('\n')
  let values = [ good, ...sent ].flatMap(value => mode === 'table' ? [ value, ...value.split('.') ] : [ value ])
  t.deepEqual(values.filter(value => value.length >= 8 && text.includes(value)), [], `none of ${values.length} cookie values and their parts in ${log.lines().length} log lines`)
  t.ok(log.lines().some(line => line.includes('"event":"session.rejected"')), 'and the forged cookies were logged as session.rejected')
})

test('end Sandbox', end)
