// The session cookie: which one a request sent, and the Set-Cookie headers the wrapper answers with.
import type { APIGatewayProxyEventV2 as Event, APIGatewayProxyStructuredResultV2 as Response } from 'aws-lambda'
import { isIP } from 'node:net'
import { parseCookie, stringifySetCookie } from 'cookie'
import type { Settings } from './config.ts'

// Locally (http://localhost) the cookie is Architect's `_idx`. Deployed, it is `__Host-idx`: a
// browser takes a `__Host-` cookie only from this very host, over HTTPS, with Path=/ and no Domain,
// so a page on a sibling subdomain cannot plant a session of its choosing (or wipe the visitor's).
// With ARC_SESSION_DOMAIN it is `__Secure-idx` (see config.ts).
export const LOCAL_COOKIE = '_idx'

export interface SentCookie {
  name: string
  value: string
  /** Bytes of `name=value` as the browser sent it */
  bytes: number
  /** An `_idx` in a deployed stage, from before it used `__Host-idx`: read once, then moved */
  legacy: boolean
}

/** The session's cookie name in this request (deployed: an `_idx` from before `__Host-idx` only without one), and every pair sent under it */
function sessionPairs (event: Event, settings: Settings): { name: string, pairs: string[], legacy: boolean } | null {
  // API Gateway gives a cookies array; without one, the Cookie header's pairs
  // Stryker disable next-line StringLiteral: any text without `name=` in it is as good as none
  let header = event.headers.cookie ?? ''
  let all = (event.cookies ?? header.split(';')).map(pair => pair.trim())
  for (let [ name, legacy ] of [ [ settings.cookie.name, false ], [ LOCAL_COOKIE, true ] ] as const) {
    let pairs = [ ...new Set(all.filter(pair => pair.startsWith(`${name}=`))) ]
    if (pairs.length) return { name, pairs, legacy }
  }
  return null
}

/**
 * The session cookie this request sent, if it sent exactly one value under the session's name.
 * Several mean that another host planted one (see `shadowedCookie`), so none of them is read.
 */
export function sentCookie (event: Event, settings: Settings): SentCookie | null {
  let found = sessionPairs(event, settings)
  if (found?.pairs.length !== 1) return null
  let [ pair ] = found.pairs
  let value = parseCookie(pair)[found.name]
  // An absurdly long value cannot be ours, so it is not worth any crypto work
  return value && value.length <= 4096 ? { name: found.name, value, bytes: Buffer.byteLength(pair), legacy: found.legacy } : null
}

/**
 * The session cookie's name when the request sent several values under it, or null. A browser
 * sends one cookie per name, Domain and Path: two mean that a host under a parent domain (evil.
 * example.com next to app.example.com) set one with `Domain=example.com`, and which is the
 * visitor's own cannot be told. (Architect reads the last, which may be the planted one.)
 */
export function shadowedCookie (event: Event, settings: Settings): string | null {
  let found = sessionPairs(event, settings)
  return found && found.pairs.length > 1 ? found.name : null
}

function setCookieHeader (settings: Settings, name: string, value: string, maxAge: number | null, domain: string | null): string {
  let { sameSite, secure } = settings.cookie
  return stringifySetCookie({
    name,
    value,
    maxAge: maxAge ?? undefined, // when the server will refuse the session anyway; none: until the browser closes
    domain: domain ?? undefined, // without one, only this host gets it
    path: '/',
    httpOnly: true, // no script can read it
    secure, // HTTPS only, except locally over http://localhost
    sameSite, // `lax` by default: not sent on cross-site POSTs
  }, {
    // Percent-encode as Architect does (cookie 2 would leave `+` and `/` as they are), so the
    // header is the same with cookie 1.1 and 2, and the same as plain arc.http() sends
    encode: encodeURIComponent,
  })
}

// A `__Host-` cookie must not carry a Domain; any other cookie of ours carries the configured one
const domainFor = (settings: Settings, name: string) => name.startsWith('__Host-') ? null : settings.cookie.domain

/** Adds a Set-Cookie for `name` */
export function setCookie (response: Response, settings: Settings, name: string, value: string, maxAgeSeconds: number | null): Response {
  let header = setCookieHeader(settings, name, value, maxAgeSeconds, domainFor(settings, name))
  return { ...response, cookies: [ ...(response.cookies ?? []), header ] }
}

/**
 * The request's host and each parent domain of it, down to two labels: where a cookie of its name
 * may have been set. (A browser ignores a Domain that is a public suffix, such as co.uk.)
 */
export function domainsOf (host: string | undefined): string[] {
  // Stryker disable next-line StringLiteral: without a Host header any text that is no host name gives none
  let name = (host ?? '').replace(/:\d+$/, '').toLowerCase()
  if (!/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(name) || isIP(name)) return []
  let labels = name.split('.')
  return labels.slice(0, -1).map((_, i) => labels.slice(i).join('.'))
}

/**
 * Clears `name` everywhere the wrapper, plain arc.http() or another host under a parent domain may
 * have set it: the host-only cookie, the configured Domain, and `host` with each of its parent
 * domains. Each is a separate cookie to a browser, so clearing one leaves the others.
 */
export function clearCookie (response: Response, settings: Settings, name: string, host?: string): Response {
  let domains = name.startsWith('__Host-') ? [] : [ settings.cookie.domain, ...domainsOf(host) ]
  let distinct = [ ...new Set(domains.filter(domain => domain !== null).map(domain => domain.replace(/^\./, '').toLowerCase())) ]
  let headers = [ setCookieHeader(settings, name, '', 0, null), ...distinct.map(domain => setCookieHeader(settings, name, '', 0, domain)) ]
  return { ...response, cookies: [ ...(response.cookies ?? []), ...headers ] }
}
