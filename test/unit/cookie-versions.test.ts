// The wrapper works with `cookie` 1.1 and 2 (npm installs 2 today; @architect/functions uses 1):
// cookies.ts bundled against each must write byte-identical Set-Cookie headers and read the same
// cookies. cookie 2 changed stringifySetCookie's arguments, which once made every answer carry
// `set-cookie: undefined=` while sessions silently never persisted.
import test from 'tape'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { build } from 'esbuild'
import type { APIGatewayProxyEventV2 as Event, APIGatewayProxyStructuredResultV2 as Response } from 'aws-lambda'
import { readSettings, type Settings } from '../../src/shared/session/config.ts'
import { event } from '../helpers/lambda.ts'
import { randomSecret } from '../helpers/secrets.ts'

const root = new URL('../..', import.meta.url).pathname
const require = createRequire(import.meta.url)

interface Cookies {
  setCookie (response: Response, settings: Settings, name: string, value: string, maxAge: number): Response
  clearCookie (response: Response, settings: Settings, name: string): Response
  sentCookie (event: Event, settings: Settings): { name: string, value: string } | null
}

/** cookies.ts bundled against the given package, as esbuild bundles it for Lambda */
async function cookiesWith (pkg: 'cookie' | 'cookie-1', dir: string): Promise<Cookies> {
  let outfile = join(dir, `${pkg}.cjs`)
  await build({ entryPoints: [ `${root}src/shared/session/cookies.ts` ], bundle: true, platform: 'node', format: 'cjs', outfile, alias: { cookie: pkg }, logLevel: 'error' })
  return require(outfile) as Cookies
}

function settingsFor (env: Record<string, string>): Settings {
  let setup = readSettings({ ARC_APP_SECRET: randomSecret(), ...env })
  if (!setup.ok) throw new Error(setup.problem)
  return setup.settings
}

test('cookie 1.1 and cookie 2 give the same Set-Cookie headers, and read the same cookies', async t => {
  let dir = mkdtempSync(join(tmpdir(), 'cookie-versions-'))
  let [ two, one ] = [ await cookiesWith('cookie', dir), await cookiesWith('cookie-1', dir) ]
  let major = (pkg: string) => (JSON.parse(readFileSync(`${root}node_modules/${pkg}/package.json`, 'utf8')) as { version: string }).version.split('.')[0]
  t.equal(major('cookie'), '2', 'this project installs cookie 2')
  t.equal(major('cookie-1'), '1', 'and cookie 1 beside it, for this test')

  // A table-mode value has `+`, `/` and `.`, which cookie 2 would leave unencoded by default
  let value = 'abcDEF123_-abcDEF123_-ab.x+y/z0123456789abcdef0123456789abcdef01'
  let environments: Record<string, string>[] = [ {}, { ARC_ENV: 'production' }, { ARC_SESSION_DOMAIN: 'example.com', ARC_SESSION_SAME_SITE: 'none' } ]
  for (let env of environments) {
    let settings = settingsFor(env)
    let label = JSON.stringify(env)
    let written = two.setCookie({ statusCode: 200 }, settings, settings.cookie.name, value, 600).cookies
    t.deepEqual(one.setCookie({ statusCode: 200 }, settings, settings.cookie.name, value, 600).cookies, written, `${label}: the same Set-Cookie`)
    t.match(String(written?.[0]), new RegExp(`^${settings.cookie.name}=abcDEF123_-abcDEF123_-ab\\.x%2By%2Fz`), 'percent-encoded as Architect encodes it')
    t.deepEqual(one.clearCookie({ statusCode: 200 }, settings, '_idx').cookies, two.clearCookie({ statusCode: 200 }, settings, '_idx').cookies, `${label}: the same clearing headers`)
    let sent = event({ cookie: `${String(written?.[0]).split(';')[0]}; other=1` })
    t.deepEqual(one.sentCookie(sent, settings), two.sentCookie(sent, settings), 'the same cookie read back')
    t.equal(two.sentCookie(sent, settings)?.value, value, 'and it is the value written')
  }
  rmSync(dir, { recursive: true, force: true })
})
