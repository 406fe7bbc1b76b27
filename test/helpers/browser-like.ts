// A tiny HTTP client that keeps the `_idx` cookie like a browser would, and never follows redirects,
// so tests can see every 302 and Set-Cookie.
export interface Reply {
  status: number
  headers: Headers
  text: string
  /** The `_idx` Set-Cookie header of this response, if any */
  setCookie: string | null
  json<T = Record<string, unknown>> (): T
}

export interface Visitor {
  get (path: string, headers?: Record<string, string>): Promise<Reply>
  post (path: string, body: string | object, headers?: Record<string, string>): Promise<Reply>
  /** The cookie this visitor sends, as `_idx=value`, or '' */
  cookie: string
  /** The address it comes from, sent as X-Forwarded-For, which Sandbox makes the event's `sourceIp` */
  address: string
}

import { nextAddress } from './addresses.ts'
import { base as BASE } from './ports.ts'

export const JSON_HEADERS = { accept: 'application/json' }

export function visitor (cookie = '', address = nextAddress()): Visitor {
  let self: Visitor = {
    cookie,
    address,
    get: (path, headers = {}) => send('GET', path, undefined, headers),
    post: (path, body, headers = {}) => typeof body === 'string'
      ? send('POST', path, body, { 'content-type': 'application/x-www-form-urlencoded', ...headers })
      : send('POST', path, JSON.stringify(body), { 'content-type': 'application/json', ...headers }),
  }

  async function send (method: string, path: string, body: string | undefined, headers: Record<string, string>): Promise<Reply> {
    let res = await fetch(BASE + path, {
      method,
      body,
      redirect: 'manual',
      headers: { 'x-forwarded-for': self.address, ...(self.cookie ? { cookie: self.cookie } : {}), ...headers },
    })
    let text = await res.text()
    let setCookie = res.headers.getSetCookie().find(c => c.startsWith('_idx=')) ?? null
    if (setCookie) {
      let pair = setCookie.split(';')[0]
      self.cookie = /max-age=0/i.test(setCookie) ? '' : pair
    }
    return { status: res.status, headers: res.headers, text, setCookie, json: <T>() => JSON.parse(text) as T }
  }

  return self
}

/** The value of a `_idx=value` pair, percent-decoded */
export function cookieValue (cookie: string): string {
  return decodeURIComponent(cookie.replace(/^_idx=/, ''))
}
