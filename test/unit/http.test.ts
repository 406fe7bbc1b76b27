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

test('JSON, pages and redirects, each with its content type or location', t => {
  t.deepEqual(json(400, { error: 'no' }), { statusCode: 400, headers: { 'content-type': 'application/json; charset=utf-8' }, body: '{"error":"no"}' })
  t.deepEqual(redirect('/'), { statusCode: 302, headers: { location: '/' } })
  let page = html(200, '<p>hi</p>', [ 'a{}', 'b{}' ])
  t.equal(page.headers?.['content-type'], 'text/html; charset=utf-8')
  t.equal(page.headers?.['content-security-policy'], `default-src 'none'; style-src ${hash('a{}')} ${hash('b{}')}; img-src data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; script-src 'unsafe-inline'; connect-src ws://localhost:*`, 'the page policy: its own styles by hash, a data: icon, and locally Sandbox\'s live reload')
  t.match(String(html(500, 'x').headers?.['content-security-policy']), /^default-src 'none'; style-src 'none';/, 'no style at all where none is given')
  t.end()
})

test('a client wants JSON when it says so in Accept', t => {
  t.equal(wantsJson(withHeaders({ accept: 'text/html, application/json;q=0.9' })), true)
  t.equal(wantsJson(withHeaders({ accept: 'text/html' })), false)
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
  })
  t.equal(withStandardHeaders({ statusCode: 200 }, true).headers?.['strict-transport-security'], 'max-age=31536000')
  t.end()
})

test('an answer that sets a cookie keeps a Cache-Control only if no shared cache may store it', t => {
  let cases: [string, string][] = [
    [ 'private, max-age=60', 'private, max-age=60' ],
    [ 'max-age=60, private', 'max-age=60, private' ],
    [ 'no-store', 'no-store' ],
    [ 'private="set-cookie", max-age=60', 'private="set-cookie", max-age=60' ],
    [ 'public, max-age=60', 'no-store' ],
    [ 'notprivate, public', 'no-store' ],
    [ 'no-store-later, public', 'no-store' ],
    [ 's-maxage=60', 'no-store' ],
  ]
  for (let [ given, kept ] of cases) {
    let { headers = {} } = withStandardHeaders({ statusCode: 200, headers: { 'Cache-Control': given }, cookies: [ '_idx=v' ] }, false)
    let values = Object.entries(headers).filter(([ name ]) => name.toLowerCase() === 'cache-control').map(([ , value ]) => value)
    t.deepEqual(values, [ kept ], `${given} → ${kept}`)
  }
  let uncached = withStandardHeaders({ statusCode: 200, headers: { 'Cache-Control': 'public, max-age=60' } }, false).headers
  t.equal(uncached?.['Cache-Control'], 'public, max-age=60', 'without a cookie, the handler\'s word stands')
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
