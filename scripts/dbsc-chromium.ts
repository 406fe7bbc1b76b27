// node scripts/dbsc-chromium.ts [path-to-chromium]: whether this machine's Chromium binds a session
// to its device (W3C DBSC), and over what. A bare server asks to bind on its first page
// (`Secure-Session-Registration`), and Chromium, with its software keys for machines without a
// TPM, is asked three ways: over http://localhost; over https with `--ignore-certificate-errors`;
// and over https with the server's own certificate trusted (`--ignore-certificate-errors-spki-list`).
// For each it prints whether the registration request came, the JWT it carried, and whether the
// refresh answered a 403 challenge. Needs openssl (for a throwaway certificate); no Sandbox.
import { createHash, X509Certificate } from 'node:crypto'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { createServer as createHttp, type IncomingMessage, type ServerResponse } from 'node:http'
import { createServer as createHttps } from 'node:https'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import puppeteer from 'puppeteer-core'

const chromium = process.argv[2] ?? '/usr/bin/chromium'
const dir = mkdtempSync(`${tmpdir()}/dbsc-`)
execFileSync('openssl', [ 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
  '-keyout', `${dir}/key.pem`, '-out', `${dir}/cert.pem`, '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost' ], { stdio: 'ignore' })
const tls = { key: readFileSync(`${dir}/key.pem`), cert: readFileSync(`${dir}/cert.pem`) }
const spki = createHash('sha256').update(new X509Certificate(tls.cert).publicKey.export({ type: 'spki', format: 'der' })).digest('base64')

// Chromium's own instructions for software keys (net/device_bound_sessions)
const FEATURES = [ '--enable-features=EnableBoundSessionCredentialsSoftwareKeysForManualTesting,DeviceBoundSessions', '--disable-features=DeviceBoundSessionsRefreshQuota' ]
const CONFIG = JSON.stringify({ session_identifier: 's1', refresh_url: '/refresh', scope: { include_site: false }, credentials: [ { type: 'cookie', name: 'bound', attributes: 'Path=/' } ] })

/** What one way of asking saw: the JWTs' decoded headers and payloads, in the order they came */
async function tryWith (label: string, secure: boolean, flags: string[]): Promise<void> {
  let seen: string[] = []
  let registered = false
  let refreshed = false
  let done: () => void = () => {}
  let finished = new Promise<void>(resolve => { done = resolve })
  let handler = (req: IncomingMessage, res: ServerResponse) => {
    let jwt = req.headers['secure-session-response']
    if (typeof jwt === 'string') seen.push(`${req.url}: ${jwt.split('.').slice(0, 2).map(part => Buffer.from(part, 'base64url').toString()).join(' ')}`)
    if (req.url === '/') res.setHeader('secure-session-registration', '(ES256);path="/start";challenge="first"')
    if (req.url === '/start') registered = true
    if (req.url === '/refresh' && !jwt) {
      res.writeHead(403, { 'secure-session-challenge': '"second";id="s1"' }).end()
      return
    }
    if (req.url === '/refresh') {
      refreshed = true
      done()
    }
    if (req.url === '/start' || req.url === '/refresh') res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': 'bound=1; Path=/; Max-Age=1' }).end(CONFIG)
    else res.end('<!doctype html><title>dbsc</title>')
  }
  let server = secure ? createHttps(tls, handler) : createHttp(handler)
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  let origin = `${secure ? 'https' : 'http'}://localhost:${(server.address() as AddressInfo).port}`
  let browser = await puppeteer.launch({ executablePath: chromium, args: [ '--no-sandbox', `--user-data-dir=${mkdtempSync(`${tmpdir()}/dbsc-profile-`)}`, ...FEATURES, ...flags ] })
  try {
    let page = await browser.newPage()
    await page.goto(origin)
    // The bound cookie lives 1 s: the next request in its scope waits for a refresh, if there is a session
    let timeout = setTimeout(done, 8000)
    await page.goto(`${origin}/again`).catch(() => {})
    await finished
    clearTimeout(timeout)
  }
  finally {
    await browser.close()
    server.close()
  }
  console.log(`${label}: ${registered ? 'bound' : 'NOT bound'}${refreshed ? ', refreshed after a 403 challenge' : ''}`)
  for (let line of seen) console.log(`  ${line}`)
}

await tryWith('http://localhost', false, [])
await tryWith('https, --ignore-certificate-errors', true, [ '--ignore-certificate-errors' ])
await tryWith('https, the certificate trusted by its SPKI hash', true, [ `--ignore-certificate-errors-spki-list=${spki}` ])
