// The session cookie: which one a request sent, and the Set-Cookie headers the wrapper answers with.
import type { APIGatewayProxyEventV2 as Event, APIGatewayProxyStructuredResultV2 as Response } from 'aws-lambda'
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

function lastCookie (event: Event, name: string): SentCookie | null {
  // API Gateway gives a cookies array; without one, the Cookie header's pairs
  // Stryker disable next-line StringLiteral: any text without `name=` in it is as good as none
  let header = event.headers.cookie ?? ''
  let pairs = event.cookies ?? header.split(';')
  let last = pairs.map(pair => pair.trim()).filter(pair => pair.startsWith(`${name}=`)).at(-1)
  let value = last ? parseCookie(last)[name] : undefined
  // An absurdly long value cannot be ours, so it is not worth any crypto work
  return last && value && value.length <= 4096 ? { name, value, bytes: Buffer.byteLength(last), legacy: false } : null
}

/** The session cookie this request sent, if any. With several of one name, the last counts, as in Architect. */
export function sentCookie (event: Event, settings: Settings): SentCookie | null {
  let { name } = settings.cookie
  let sent = lastCookie(event, name)
  if (sent) return sent
  // Deployed, an `_idx` from before `__Host-idx` (locally, that is the name just looked for)
  let legacy = lastCookie(event, LOCAL_COOKIE)
  return legacy && { ...legacy, legacy: true }
}

function setCookieHeader (settings: Settings, name: string, value: string, maxAge: number, domain: string | null): string {
  let { sameSite, secure } = settings.cookie
  return stringifySetCookie({
    name,
    value,
    maxAge, // when the server will refuse the session anyway
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
export function setCookie (response: Response, settings: Settings, name: string, value: string, maxAgeSeconds: number): Response {
  let header = setCookieHeader(settings, name, value, maxAgeSeconds, domainFor(settings, name))
  return { ...response, cookies: [ ...(response.cookies ?? []), header ] }
}

/**
 * Clears `name` everywhere the wrapper (or plain arc.http()) may have set it: the Domain cookie and
 * the host-only one are two cookies to a browser, so clearing one leaves the other signed in
 */
export function clearCookie (response: Response, settings: Settings, name: string): Response {
  let domain = domainFor(settings, name)
  let headers = [ setCookieHeader(settings, name, '', 0, null), ...(domain ? [ setCookieHeader(settings, name, '', 0, domain) ] : []) ]
  return { ...response, cookies: [ ...(response.cookies ?? []), ...headers ] }
}
