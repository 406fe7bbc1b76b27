// Security headers on every answer: pages, JSON, redirects and refusals alike. Over HTTP against
// Sandbox (`testing`), and on the built handlers with ARC_ENV=production for what only deployed
// stages send.
import test from 'tape'
import { createHash } from 'node:crypto'
import * as v from 'valibot'
import { start, end, inProcess } from '../helpers/sandbox.ts'
import { visitor, JSON_HEADERS, type Reply } from '../helpers/browser-like.ts'
import { event, setCookieOf, type Handler } from '../helpers/lambda.ts'
import { warmLambda, sandboxEnv } from '../helpers/warm-lambda.ts'
import { randomSecret } from '../helpers/secrets.ts'

const STRONG = randomSecret()

test('start Sandbox', start)

/** The headers every answer carries, whatever it is */
function assertStandard (t: test.Test, label: string, headers: Headers) {
  t.equal(headers.get('x-content-type-options'), 'nosniff', `${label}: nosniff`)
  t.equal(headers.get('referrer-policy'), 'same-origin', `${label}: Referrer-Policy same-origin`)
  t.equal(headers.get('x-frame-options'), 'DENY', `${label}: X-Frame-Options DENY`)
  t.equal(headers.get('cache-control'), 'no-store', `${label}: no-store`)
  t.match(headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/, `${label}: no framing (CSP)`)
  t.equal(headers.get('strict-transport-security'), null, `${label}: no HSTS over http://localhost`)
}

test('the page: a CSP that allows its own inline style and script by hash and nothing else to load', async t => {
  let page = await visitor().get('/')
  let css = /<style>([^<]*)<\/style>/.exec(page.text)?.[1] ?? ''
  let hash = createHash('sha256').update(css).digest('base64')
  let scripts = [ ...page.text.matchAll(/<script>([^<]*)<\/script>/g) ].map(match => match[1])
  let policy = (page.headers.get('content-security-policy') ?? '').split('; ')
  t.ok(policy.includes('default-src \'none\''), 'default-src \'none\'')
  t.ok(policy.includes(`style-src 'sha256-${hash}'`), 'style-src: the hash of the page\'s own <style>')
  t.ok(policy.includes('img-src data:'), 'img-src data:, for the page\'s empty icon (so Firefox fetches no /favicon.ico)')
  t.match(page.text, /<link rel="icon" href="data:,">/, 'which the page has')
  t.ok(policy.includes('form-action \'self\''), 'form-action \'self\'')
  t.ok(policy.includes('base-uri \'none\''), 'base-uri \'none\'')
  t.equal(scripts.length, 1, 'the page has one script (Sandbox\'s live reload, which would inject another, is off in prefs.arc)')
  t.ok(policy.includes(`script-src 'sha256-${createHash('sha256').update(scripts[0]).digest('base64')}'`), 'script-src: the hash of the page\'s own <script>')
  t.notOk(policy.join(';').includes('unsafe-inline'), 'never \'unsafe-inline\'')
  t.ok(policy.includes('connect-src \'self\''), 'connect-src \'self\': the script fetches the passkey routes, here only')
  assertStandard(t, 'GET /', page.headers)
})

test('a style injected into a page (say, through an escaping bug) is not allowed by the page\'s CSP', async t => {
  let { html } = await import('../../src/shared/session/http.ts')
  let own = 'body { color: #1a1a1a }'
  let injected = 'body { background: url(https://evil.example/track) }'
  let page = html(200, `<style>${own}</style><p><style>${injected}</style></p>`, [ own ])
  let styleSrc = String(page.headers?.['content-security-policy']).split('; ').find(d => d.startsWith('style-src'))
  let hash = (css: string) => `'sha256-${createHash('sha256').update(css).digest('base64')}'`
  t.equal(styleSrc, `style-src ${hash(own)}`, 'style-src names the app\'s own constant style, and nothing the body holds')
  t.equal(String(html(200, `<style>${injected}</style>`).headers?.['content-security-policy']).split('; ')[1], 'style-src \'none\'', 'a page with no constant style allows none')
})

test('every other answer carries the same headers', async t => {
  let browser = visitor()
  let answers: [string, Reply][] = [
    [ 'GET / as JSON', await browser.get('/', JSON_HEADERS) ],
    [ 'a 302 after a form post', await browser.post('/count', 'by=1') ],
    [ 'a 400 for a bad body', await browser.post('/count', { by: 0 }, JSON_HEADERS) ],
    [ 'a 403 for a cross-site post', await browser.post('/count', 'by=1', { origin: 'https://evil.example' }) ],
    [ 'a cleared cookie', await visitor('_idx=garbage').get('/', JSON_HEADERS) ],
    [ 'sign-out', await browser.post('/logout', '') ],
  ]
  for (let [ label, reply ] of answers) assertStandard(t, label, reply.headers)
})

test('deployed: HSTS for this host, and the same page policy as locally', async t => {
  let lambda = warmLambda(sandboxEnv({ ARC_ENV: 'production', ARC_APP_SECRET: STRONG }))
  for (let route of [ 'get-index', 'post-logout' ] as const) {
    let { response } = await lambda.call(route, event({ method: route === 'get-index' ? 'GET' : 'POST', path: route === 'get-index' ? '/' : '/logout' }))
    t.equal(response.headers?.['strict-transport-security'], 'max-age=31536000', `${route}: Strict-Transport-Security, without includeSubDomains`)
  }
  let page = await lambda.call('get-index', { ...event({}), headers: { host: 'localhost:3333' } })
  let local = (await visitor().get('/')).headers.get('content-security-policy')
  t.equal(page.response.headers?.['content-security-policy'], local, 'the page policy is the one Sandbox serves: its own script by hash, nothing inline')
  t.match(String(page.response.body), /<code>__Host-idx<\/code> cookie/, 'and the page names the cookie deployed stages use')
  lambda.close()
})

// A route of an app that adopts the wrapper and sets headers of its own: its page loads a style,
// a script and an image from its CDN, and it may be framed by its own origin
const APPS_OWN = {
  'Content-Security-Policy': 'default-src \'self\' https://cdn.example.com',
  'X-Frame-Options': 'SAMEORIGIN',
  'Referrer-Policy': 'strict-origin-when-cross-origin',
}

async function appRoute (headers: Record<string, string>, stores: boolean): Promise<Handler> {
  await inProcess('get-index') // sets the environment a Lambda would have
  let { withSession } = await import('../../src/shared/session.ts')
  let Visits = v.object({ visits: v.optional(v.number(), 0) })
  return withSession(Visits, async (_event, session) => ({
    statusCode: 200,
    headers: { 'content-type': 'text/html', ...headers },
    body: '<!doctype html><title>Home</title>',
    ...(stores ? { session: { visits: session.data.visits + 1 } } : {}),
  }))
}

/** Every value a client would see for a header: names compare without case */
function valuesOf (headers: Record<string, unknown>, name: string): unknown[] {
  return Object.entries(headers).filter(([ key ]) => key.toLowerCase() === name.toLowerCase()).map(([ , value ]) => value)
}

test('the app\'s own headers win over the wrapper\'s defaults, whatever their case', async t => {
  let route = await appRoute({ ...APPS_OWN, 'Cache-Control': 'public, max-age=60' }, false)
  let { headers = {} } = await route(event({}))
  for (let [ name, value ] of Object.entries(APPS_OWN)) t.deepEqual(valuesOf(headers, name), [ value ], `${name}: only the app's`)
  t.deepEqual(valuesOf(headers, 'cache-control'), [ 'public, max-age=60' ], 'Cache-Control: only the app\'s, as this answer sets no cookie')
  t.deepEqual(valuesOf(headers, 'x-content-type-options'), [ 'nosniff' ], 'defaults fill what the app did not set')
})

test('an answer that sets the session cookie is never storable by a shared cache, whatever the handler said', async t => {
  let route = await appRoute({ 'Cache-Control': 'public, max-age=60' }, true)
  let res = await route(event({}))
  t.ok(setCookieOf(res), 'it sets the session cookie')
  t.deepEqual(valuesOf(res.headers ?? {}, 'cache-control'), [ 'no-store' ], 'public caching is replaced by no-store')
  let privately = await (await appRoute({ 'cache-control': 'private, max-age=60' }, true))(event({}))
  t.deepEqual(valuesOf(privately.headers ?? {}, 'cache-control'), [ 'private, max-age=60' ], 'a private answer is kept as the app set it')
})

test('end Sandbox', end)
