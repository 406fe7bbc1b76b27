// What the wrapper needs of HTTP (API Gateway HTTP API, payload v2): the cross-site check,
// responses, and the headers every answer carries. Dependency-free; the app uses it too.
import { createHash } from 'node:crypto'
import type { APIGatewayProxyEventV2 as Event, APIGatewayProxyStructuredResultV2 as Response } from 'aws-lambda'

/**
 * True when a browser tells us the request comes from another site or origin.
 * SameSite=Lax already keeps our cookie off cross-site POSTs, but "site" includes every sibling
 * subdomain (a page on evil.example.com is same-site to app.example.com), and not every browser
 * enforces SameSite. Checking Origin closes both gaps. Once deployed, only `https://` and this
 * very host and port count as ours: a page served over plain HTTP to this host name (by someone on
 * the network path) is another origin. Clients that send neither header (curl,
 * server-to-server) carry no ambient browser cookie to abuse, so they pass.
 */
export function isCrossSite (event: Event, deployed: boolean): boolean {
  if (event.headers['sec-fetch-site'] === 'cross-site') return true
  let origin = event.headers.origin
  if (origin === undefined) return false
  try {
    let { host, protocol } = new URL(origin)
    return host !== event.headers.host || (deployed && protocol !== 'https:')
  }
  catch {
    return true // `Origin: null` (sandboxed frames, some redirects) or garbage
  }
}

export function wantsJson (event: Event): boolean {
  return event.headers.accept?.includes('application/json') ?? false
}

export function json (statusCode: number, body: unknown): Response {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(body),
  }
}

/**
 * Put this in every page's <head>. Without an icon, Firefox fetches /favicon.ico (a round trip to
 * API Gateway for a 404, which the CSP blocks and reports); an empty data: icon needs no request,
 * and the page policy allows data: images for it (a data: image can carry nothing off the page).
 */
export const ICON = '<link rel="icon" href="data:,">'

/**
 * A page; `styles` and `scripts` are the app's own constant `<style>` and `<script>` contents,
 * the only styles and scripts it may apply or run
 */
export function html (statusCode: number, body: string, styles: string[] = [], scripts: string[] = []): Response {
  return {
    statusCode,
    headers: { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': pagePolicy(styles, scripts) },
    body,
  }
}

// 303 would be the textbook answer to a POST; browsers treat 302 the same way (GET the new page)
export function redirect (location: string): Response {
  return { statusCode: 302, headers: { location } }
}

const hashes = new Map<string, string>()

/** `'sha256-…'` of a constant style or script, each hashed once */
function hashOf (text: string): string {
  let hash = hashes.get(text) ?? `'sha256-${createHash('sha256').update(text).digest('base64')}'`
  // Stryker disable next-line CallExpression: the memo only spares hashing the same text again
  hashes.set(text, hash)
  return hash
}

/**
 * A page's Content-Security-Policy: nothing may load or run but the app's own constant styles and
 * scripts (by hash: whatever else a page's body holds, an injected `<style>` or `<script>`
 * included, does not apply, and `'unsafe-inline'` is never allowed), a page with a script may
 * fetch from this origin alone, forms post only here, and no other site may frame it (a page of
 * state-changing buttons is what clickjacking targets).
 */
function pagePolicy (styles: string[], scripts: string[]): string {
  let policy = [ 'default-src \'none\'', `style-src ${styles.map(hashOf).join(' ') || '\'none\''}`, 'img-src data:' ]
  if (scripts.length) policy.push(`script-src ${scripts.map(hashOf).join(' ')}`, 'connect-src \'self\'')
  return [ ...policy, ...COMMON_POLICY ].join('; ')
}

const COMMON_POLICY = [ 'form-action \'self\'', 'frame-ancestors \'none\'', 'base-uri \'none\'' ]

/**
 * Headers every answer gets unless the handler set its own: no shared cache may keep a page that
 * depends on who asks; no content sniffing; the full URL never leaves the site in a Referer
 * (`same-origin` still sends Origin on our own form posts, which the cross-site check needs;
 * `no-referrer` would send `Origin: null`); no framing, for browsers older than CSP's
 * frame-ancestors; HTTPS only once deployed, for this host alone (`includeSubDomains` would decide
 * for sibling hosts this app does not own).
 */
const DEFAULT_HEADERS = {
  'content-security-policy': [ 'default-src \'none\'', ...COMMON_POLICY ].join('; '),
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
}
const DEPLOYED_HEADERS = { ...DEFAULT_HEADERS, 'strict-transport-security': 'max-age=31536000' }

// A shared cache (a CDN) must never keep an answer that sets a cookie, or it would hand that
// cookie, a session, to everyone who asks next. An unqualified `private` or `no-store` keeps it out;
// `private="x"` only keeps header x out, so it does not count.
const SHARED_CACHE_SAFE = new Set([ 'private', 'no-store' ])
// Headers a CDN obeys ahead of Cache-Control: RFC 9213's CDN-Cache-Control, vendors' own
// (`Cloudflare-CDN-Cache-Control`, `Vercel-CDN-Cache-Control`...) and the older Surrogate-Control
const CDN_CACHE_HEADER = /^(surrogate-control|([\w-]+-)?cdn-cache-control)$/i
// One Cache-Control directive: a name, and a token or quoted string after `=` (which may hold commas)
const DIRECTIVE = /\s*([^\s=,]+)\s*(=\s*("(?:[^"\\]|\\.)*"|[^,"]*))?\s*(,|$)/gy

/** True when a Cache-Control value has an unqualified `private` or `no-store`, parsed to its end */
function keepsSharedCachesOut (value: string): boolean {
  let safe = false
  DIRECTIVE.lastIndex = 0
  for (let match; DIRECTIVE.lastIndex < value.length && (match = DIRECTIVE.exec(value));) {
    if (match[2] === undefined && SHARED_CACHE_SAFE.has(match[1].toLowerCase())) safe = true
  }
  // Text the pattern could not read (an unbalanced quote) is not trusted
  return safe && DIRECTIVE.lastIndex >= value.length
}

/** A handler may set a cookie through `cookies` or through its own `Set-Cookie` header */
function setsCookie (response: Response, names: string[]): boolean {
  return Boolean(response.cookies?.length) || names.some(name => name.toLowerCase() === 'set-cookie')
}

/**
 * The handler's headers, plus the defaults it did not set (header names compare without case).
 * The one override: an answer that sets a cookie, by any route, is never storable by a shared
 * cache. It carries exactly one Cache-Control, with an unqualified `private` or `no-store`, and no
 * header a CDN would obey instead.
 */
export function withStandardHeaders (response: Response, deployed: boolean): Response {
  let own = response.headers ?? {}
  let names = Object.keys(own)
  let ownNames = new Set(names.map(name => name.toLowerCase()))
  let headers: Record<string, string | number | boolean> = { ...own }
  for (let [ name, value ] of Object.entries(deployed ? DEPLOYED_HEADERS : DEFAULT_HEADERS)) {
    if (!ownNames.has(name)) headers[name] = value
  }
  if (!setsCookie(response, names)) return { ...response, headers }

  for (let name of names.filter(name => CDN_CACHE_HEADER.test(name))) delete headers[name]
  let cacheControls = Object.keys(headers).filter(name => name.toLowerCase() === 'cache-control')
  let [ only ] = cacheControls
  if (cacheControls.length === 1 && keepsSharedCachesOut(String(headers[only]))) return { ...response, headers }
  for (let name of cacheControls) delete headers[name]
  headers['cache-control'] = 'no-store'
  return { ...response, headers }
}
