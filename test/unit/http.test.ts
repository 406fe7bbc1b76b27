// The answers the wrapper builds, the headers every answer gets, and the cross-site check.
import test from 'tape'
import { createHash } from 'node:crypto'
import type { APIGatewayProxyEventV2 as Event } from 'aws-lambda'
import { html, isCrossSite, json, redirect, wantsJson, withStandardHeaders } from '../../src/shared/session/http.ts'
import { event } from '../helpers/lambda.ts'

// Run as tests run (ARC_ENV unset, which counts as testing): page policies allow Sandbox's
// live-reload script, as they do locally

const hash = (css: string) => `'sha256-${createHash('sha256').update(css).digest('base64')}'`
const withHeaders = (headers: Record<string, string>): Event => ({ ...event({}), headers })
/** Every value of a header, whatever the spelling of its name */
const valuesOf = (headers: Record<string, unknown>, wanted: string) => Object.entries(headers).filter(([ name ]) => name.toLowerCase() === wanted).map(([ , value ]) => value)

test('JSON, pages and redirects, each with its content type or location', t => {
  t.deepEqual(json(400, { error: 'no' }), { statusCode: 400, headers: { 'content-type': 'application/json; charset=utf-8' }, body: '{"error":"no"}' }, 'json() sets the status, the content type and the body')
  t.deepEqual(redirect('/'), { statusCode: 302, headers: { location: '/' } }, 'redirect() is a 302 with a location')
  let page = html(200, '<p>hi</p>', [ 'a{}', 'b{}' ])
  t.equal(page.headers?.['content-type'], 'text/html; charset=utf-8', 'html() is text/html in UTF-8')
  t.equal(page.headers?.['content-security-policy'], `default-src 'none'; style-src ${hash('a{}')} ${hash('b{}')}; img-src data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`, 'the page policy: its own styles by hash, a data: icon, and no script')
  let scripted = html(200, '<p>hi</p>', [ 'a{}' ], [ 'go()', 'stop()' ])
  t.equal(scripted.headers?.['content-security-policy'], `default-src 'none'; style-src ${hash('a{}')}; img-src data:; script-src ${hash('go()')} ${hash('stop()')}; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`, 'with scripts: each by its hash (never \'unsafe-inline\'), and fetches to this origin alone')
  t.match(String(html(500, 'x').headers?.['content-security-policy']), /^default-src 'none'; style-src 'none';/, 'no style at all where none is given')
  t.end()
})

test('a client wants JSON when it says so in Accept', t => {
  t.equal(wantsJson(withHeaders({ accept: 'text/html, application/json;q=0.9' })), true, 'JSON is wanted when the Accept header lists it')
  t.equal(wantsJson(withHeaders({ accept: 'text/html' })), false, 'and not when it lists HTML alone')
  t.equal(wantsJson(withHeaders({})), false, 'a client that says nothing gets the page')
  t.end()
})

test('every answer gets the defaults it lacks, exactly; deployed, HSTS too', t => {
  let local = withStandardHeaders({ statusCode: 200 }, false).headers
  t.deepEqual(local, {
    'content-security-policy': 'default-src \'none\'; form-action \'self\'; frame-ancestors \'none\'; base-uri \'none\'',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'same-origin',
    'x-frame-options': 'DENY',
  }, 'locally: the security headers, without HSTS')
  t.equal(withStandardHeaders({ statusCode: 200 }, true).headers?.['strict-transport-security'], 'max-age=31536000', 'deployed: HSTS too')
  t.end()
})

test('an answer that sets a cookie keeps a Cache-Control only if it has an unqualified private or no-store', t => {
  let cases: [string, string][] = [
    [ 'private, max-age=60', 'private, max-age=60' ],
    [ 'max-age=60, private', 'max-age=60, private' ],
    [ 'no-store', 'no-store' ],
    [ 'NO-STORE', 'NO-STORE' ],
    [ 'max-age=60, private="set-cookie, x", no-store', 'max-age=60, private="set-cookie, x", no-store' ],
    [ 'private="set-cookie", max-age=60', 'no-store' ],
    [ 'no-store="x"', 'no-store' ],
    [ 'private="x, private', 'no-store' ],
    [ 'private, =oops', 'no-store' ],
    [ 'public, max-age=60', 'no-store' ],
    [ 'notprivate, public', 'no-store' ],
    [ 'no-store-later, public', 'no-store' ],
    [ 's-maxage=60', 'no-store' ],
    [ '', 'no-store' ],
  ]
  for (let [ given, kept ] of cases) {
    let { headers = {} } = withStandardHeaders({ statusCode: 200, headers: { 'Cache-Control': given }, cookies: [ '_idx=v' ] }, false)
    t.deepEqual(valuesOf(headers, 'cache-control'), [ kept ], `${JSON.stringify(given)} → ${kept}`)
  }
  let uncached = withStandardHeaders({ statusCode: 200, headers: { 'Cache-Control': 'public, max-age=60' } }, false).headers
  t.equal(uncached?.['Cache-Control'], 'public, max-age=60', 'without a cookie, the handler\'s word stands')
  t.end()
})

test('an answer that sets a cookie gets exactly one Cache-Control, and no header a CDN obeys instead', t => {
  let cdn = { 'CDN-Cache-Control': 'max-age=600', 'Surrogate-Control': 'max-age=600', 'Cloudflare-CDN-Cache-Control': 'max-age=600', 'Cache-Control': 'private' }
  let { headers = {} } = withStandardHeaders({ statusCode: 200, headers: cdn, cookies: [ '_idx=v' ] }, false)
  t.deepEqual(Object.keys(headers).filter(name => /cdn|surrogate/i.test(name)), [], 'CDN-Cache-Control, Surrogate-Control and a vendor\'s own are removed')
  t.deepEqual(valuesOf(headers, 'cache-control'), [ 'private' ], 'the app\'s private answer stays')
  let twice = withStandardHeaders({ statusCode: 200, headers: { 'Cache-Control': 'private', 'cache-control': 'public' }, cookies: [ '_idx=v' ] }, false).headers ?? {}
  t.deepEqual(valuesOf(twice, 'cache-control'), [ 'no-store' ], 'two spellings of Cache-Control: one no-store instead')
  let kept = withStandardHeaders({ statusCode: 200, headers: cdn }, false).headers ?? {}
  t.equal(kept['CDN-Cache-Control'], 'max-age=600', 'without a cookie, the CDN headers stand')
  let others = { 'X-Surrogate-Control': 'a', 'Surrogate-Control-Note': 'b' }
  let near = withStandardHeaders({ statusCode: 200, headers: others, cookies: [ '_idx=v' ] }, false).headers ?? {}
  t.deepEqual([ near['X-Surrogate-Control'], near['Surrogate-Control-Note'] ], [ 'a', 'b' ], 'headers that only contain such a name stay')
  t.end()
})

test('a handler\'s own Set-Cookie header counts as setting a cookie', t => {
  for (let name of [ 'set-cookie', 'Set-Cookie' ]) {
    let { headers = {} } = withStandardHeaders({ statusCode: 200, headers: { [name]: 'theme=dark', 'Cache-Control': 'public, max-age=60', 'CDN-Cache-Control': 'max-age=60' } }, false)
    t.deepEqual(valuesOf(headers, 'cache-control'), [ 'no-store' ], `${name}: no-store`)
    t.equal(headers['CDN-Cache-Control'], undefined, `${name}: no CDN header`)
  }
  t.end()
})

test('a state-changing request counts as cross-site unless it comes from this very origin', t => {
  let from = (origin: string | undefined, fetchSite?: string) => withHeaders({ host: 'app.example.com', ...(origin === undefined ? {} : { origin }), ...(fetchSite ? { 'sec-fetch-site': fetchSite } : {}) })
  let cases: [Event, boolean, boolean, string][] = [
    [ from(undefined), false, false, 'no Origin (curl, a server): no ambient cookie to abuse' ],
    [ from('https://app.example.com'), false, false, 'this origin' ],
    [ from('http://app.example.com'), false, true, 'this host over plain HTTP: fine locally, not once deployed' ],
    [ from('https://app.example.com:8443'), true, true, 'another port' ],
    [ from('https://evil.example.com'), true, true, 'another host' ],
    [ from('null'), true, true, 'Origin: null' ],
    [ from('not a url'), true, true, 'garbage' ],
    [ from(undefined, 'cross-site'), true, true, 'Sec-Fetch-Site: cross-site' ],
    [ from('https://app.example.com', 'same-site'), false, false, 'Sec-Fetch-Site: same-site, from this origin' ],
  ]
  for (let [ request, local, deployed, label ] of cases) {
    t.deepEqual([ isCrossSite(request, false), isCrossSite(request, true) ], [ local, deployed ], label)
  }
  t.end()
})
