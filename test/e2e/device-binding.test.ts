// A real Chromium binds its session to the device (W3C DBSC) and refreshes it, in both modes.
// Chromium binds only over https with a certificate it trusts (docs/upstream.md), so the test puts
// an https server in front of Sandbox, with a throwaway certificate (openssl) that this Chromium is
// told to trust by its SPKI hash, and turns on Chromium's software keys for machines without a
// TPM. Sign-in is by recovery code (no passkey needed, so nothing here depends on WebAuthn); the
// account is made over plain HTTP with the tests' software authenticator. Firefox has no DBSC.
import test from 'tape'
import { createHash, X509Certificate } from 'node:crypto'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { request } from 'node:http'
import { createServer, type Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import type { Browser, CDPSession, Page, Protocol } from 'puppeteer-core'
import { start, end, ports } from '../helpers/sandbox.ts'
import { launch, type Engine } from '../helpers/browsers.ts'
import { visitor, JSON_HEADERS } from '../helpers/browser-like.ts'
import { askOver, authenticator, SANDBOX_ORIGIN, signUp, uniqueName } from '../helpers/passkeys.ts'

const engine = (process.env.BROWSER ?? 'chromium') as Engine
const SKIPPED = engine === 'firefox' ? 'SKIPPED in firefox: device-bound sessions (Firefox has no DBSC)' : null
// Chromium's own switches for software keys (net/device_bound_sessions)
const DBSC_ARGS = [ '--enable-features=EnableBoundSessionCredentialsSoftwareKeysForManualTesting,DeviceBoundSessions', '--disable-features=DeviceBoundSessionsRefreshQuota' ]

let front: Server
let origin = ''
let browser: Browser
let page: Page
let cdp: CDPSession
let events: Protocol.Network.DeviceBoundSessionEventOccurredEvent[] = []
let waiting: { match: (e: Protocol.Network.DeviceBoundSessionEventOccurredEvent) => boolean, resolve: (e: Protocol.Network.DeviceBoundSessionEventOccurredEvent) => void }[] = []

/** The next DBSC event Chromium reports that `match` accepts (one seen already counts) */
function dbscEvent (match: (e: Protocol.Network.DeviceBoundSessionEventOccurredEvent) => boolean): Promise<Protocol.Network.DeviceBoundSessionEventOccurredEvent> {
  let seen = events.find(match)
  if (seen) return Promise.resolve(seen)
  return new Promise(resolve => waiting.push({ match, resolve }))
}

/** An https server that passes every request to Sandbox as it came (the Host header included) */
function httpsFront (tls: { key: Buffer, cert: Buffer }): Promise<Server> {
  let server = createServer(tls, (req, res) => {
    let upstream = request({ host: '127.0.0.1', port: ports.http, method: req.method, path: req.url, headers: req.headers }, answer => {
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(res)
    })
    upstream.on('error', () => res.writeHead(502).end())
    req.pipe(upstream)
  })
  return new Promise(resolve => server.listen(0, '127.0.0.1', () => resolve(server)))
}

async function text (selector: string): Promise<string | null> {
  let found: unknown = await page.evaluate(`document.querySelector(${JSON.stringify(selector)})?.textContent`)
  return typeof found === 'string' ? found : null
}

test(`start Sandbox, an https front for it, and ${engine} with its DBSC software keys`, async t => {
  if (SKIPPED) return t.comment(SKIPPED)
  await start(t)
  let dir = mkdtempSync(`${tmpdir()}/dbsc-e2e-`)
  execFileSync('openssl', [ 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-keyout', `${dir}/key.pem`, '-out', `${dir}/cert.pem`, '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost' ], { stdio: 'ignore' })
  let tls = { key: readFileSync(`${dir}/key.pem`), cert: readFileSync(`${dir}/cert.pem`) }
  let spki = createHash('sha256').update(new X509Certificate(tls.cert).publicKey.export({ type: 'spki', format: 'der' })).digest('base64')
  front = await httpsFront(tls)
  origin = `https://localhost:${(front.address() as AddressInfo).port}`
  browser = await launch(engine, String(process.env.BROWSER_PATH), [ ...DBSC_ARGS, `--ignore-certificate-errors-spki-list=${spki}` ])
  page = await browser.newPage()
  cdp = await page.createCDPSession()
  cdp.on('Network.deviceBoundSessionEventOccurred', event => {
    events.push(event)
    for (let w of waiting.filter(w => w.match(event))) {
      waiting.splice(waiting.indexOf(w), 1)
      w.resolve(event)
    }
  })
  await cdp.send('Network.enable')
  await cdp.send('Network.enableDeviceBoundSessions', { enable: true })
  t.pass(`${origin} in front of Sandbox, trusted by its SPKI hash`)
})

test('signing in binds the session to the device: Chromium registers a key, the server sets the bound cookie, and the session cookie alone opens nothing', async t => {
  if (SKIPPED) return
  t.timeoutAfter(60_000)
  let name = uniqueName('Device')
  let signedUp = await signUp(askOver(visitor()), authenticator(SANDBOX_ORIGIN), name)
  await page.goto(origin)
  await page.click('summary')
  await page.locator('#recover-name').fill(name)
  await page.locator('#recover-code').fill(String(signedUp.body.recoveryCode))
  await page.click('#recover')
  let created = await dbscEvent(e => e.creationEventDetails !== undefined)
  t.deepEqual([ created.succeeded, created.creationEventDetails?.fetchResult ], [ true, 'Success' ], 'Chromium registered a device-bound session (its DevTools say so)')
  await page.waitForSelector('#recovery-code:not([hidden])')
  await Promise.all([ page.waitForNavigation(), page.click('#code-kept') ])
  t.equal(await text('section[aria-labelledby="account"] strong'), name, 'signed in, in the browser')
  let cookies = await browser.cookies()
  let session = cookies.find(cookie => cookie.name === '_idx')
  t.ok(cookies.find(cookie => cookie.name === '_bound' && cookie.httpOnly), 'the browser holds the bound cookie, HttpOnly')
  let listed: unknown = await page.evaluate('fetch("/sessions", { headers: { accept: "application/json" } }).then(r => r.json())')
  t.deepEqual((listed as { sessions: { current: boolean, bound: boolean }[] }).sessions.filter(s => s.current).map(s => s.bound), [ true ], '"Your sessions" says it is bound')
  let copied = await visitor(`_idx=${session?.value ?? ''}`).get('/', JSON_HEADERS)
  t.equal(copied.json().user, null, 'the session cookie copied into a plain HTTP client, without the bound cookie: not signed in')
})

test('the bound cookie gone (as when it lapses): Chromium holds the next request, refreshes with its key, and stays signed in', async t => {
  if (SKIPPED) return
  t.timeoutAfter(60_000)
  let before = (await browser.cookies()).find(cookie => cookie.name === '_bound')?.value
  await page.deleteCookie({ name: '_bound', url: origin })
  let refreshed = dbscEvent(e => e.refreshEventDetails !== undefined)
  await page.reload()
  let event = await refreshed
  t.deepEqual([ event.succeeded, event.refreshEventDetails?.refreshResult ], [ true, 'Refreshed' ], 'Chromium refreshed the session: the 403 challenge, then its signed answer')
  t.equal(await text('section[aria-labelledby="account"] strong') !== null, true, 'and the page it held is signed in')
  let after = (await browser.cookies()).find(cookie => cookie.name === '_bound')?.value
  t.ok(after && after !== before, 'with a new bound cookie')
})

test(`close ${engine}, the https front and Sandbox`, async t => {
  if (SKIPPED) return t.pass('nothing started')
  await browser.close()
  front.close()
  await end(t)
})
