// The session cookie: which one a request sent, and the Set-Cookie headers the wrapper answers with.
import type { APIGatewayProxyEventV2 as Event, APIGatewayProxyStructuredResultV2 as Response } from 'aws-lambda'
import { parseCookie, stringifySetCookie } from 'cookie'
import type { Settings } from './config.ts'

// Locally (http://localhost) the cookie is Architect's `_idx`. Deployed, it is `__Host-idx`: a
// browser takes a `__Host-` cookie only from this very host, over HTTPS, with Path=/ and no Domain,
// so a page on a sibling subdomain cannot plant a session of its choosing (or wipe the visitor's).
export const LOCAL_COOKIE = '_idx'
export const HOST_COOKIE = '__Host-idx'
export const cookieName = (settings: Settings) => settings.secureCookie ? HOST_COOKIE : LOCAL_COOKIE

export interface SentCookie {
  name: string
  value: string
  /** An `_idx` in a deployed stage, from before it used `__Host-idx`: read once, then moved */
  legacy: boolean
}

function lastCookie (event: Event, name: string): string | null {
  let pairs = event.cookies ?? (event.headers.cookie ?? '').split(';')
  let last = pairs.map(pair => pair.trim()).filter(pair => pair.startsWith(`${name}=`)).at(-1)
  let value = last ? parseCookie(last)[name] : undefined
  // An absurdly long value cannot be ours, so it is not worth any crypto work
  return value && value.length <= 4096 ? value : null
}

/** The session cookie this request sent, if any. With several of one name, the last counts, as in Architect. */
export function sentCookie (event: Event, settings: Settings): SentCookie | null {
  let name = cookieName(settings)
  let value = lastCookie(event, name)
  if (value !== null) return { name, value, legacy: false }
  let legacy = name === HOST_COOKIE ? lastCookie(event, LOCAL_COOKIE) : null
  return legacy === null ? null : { name: LOCAL_COOKIE, value: legacy, legacy: true }
}

/** Adds a Set-Cookie for `name`; a `maxAgeSeconds` of 0 clears it */
export function setCookie (response: Response, settings: Settings, name: string, value: string, maxAgeSeconds: number): Response {
  let cookie = stringifySetCookie(name, value, {
    httpOnly: true, // no script can read it
    sameSite: 'lax', // not sent on cross-site POSTs
    secure: settings.secureCookie, // HTTPS only outside `testing`, where http://localhost must work
    path: '/', // and no Domain: only this host gets it
    maxAge: maxAgeSeconds, // when the server will refuse the session anyway
  })
  return { ...response, cookies: [ ...(response.cookies ?? []), cookie ] }
}
