// Calls a handler in this process, the way a warm Lambda would, with an API Gateway v2 event.
// Used where time must move: the handler shares this process's clock (src/shared/session/clock.ts).
import type { APIGatewayProxyEventV2 as Event, APIGatewayProxyStructuredResultV2 as Response } from 'aws-lambda'
import { nextAddress } from './addresses.ts'

export type Handler = (event: Event) => Promise<Response>

interface Call {
  method?: 'GET' | 'POST'
  path?: string
  /** `name=value` pairs, separated by `; ` as in a Cookie header */
  cookie?: string
  json?: object
  /** The connection's address, as API Gateway gives it: by default one no other event has */
  sourceIp?: string
}

export function event ({ method = 'GET', path = '/', cookie, json, sourceIp = nextAddress() }: Call): Event {
  let headers: Record<string, string> = { accept: 'application/json', host: 'localhost:3333' }
  if (json) headers['content-type'] = 'application/json'
  return {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: '',
    cookies: cookie ? cookie.split('; ') : undefined,
    headers,
    body: json ? JSON.stringify(json) : undefined,
    isBase64Encoded: false,
    requestContext: {
      accountId: 'local', apiId: 'local', domainName: 'localhost', domainPrefix: 'localhost',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp, userAgent: 'test' },
      requestId: 'test', routeKey: `${method} ${path}`, stage: '$default', time: '', timeEnd: 0, timeEpoch: 0,
    },
  } as Event
}

/**
 * A POST of `body` sent as `type`, as an HTTP API hands it to a route: a JSON type as text, any
 * other base64-encoded (Sandbox does the same: its middleware/_binary-handler.js)
 */
export function rawPost (path: string, body: string, type: string, cookie?: string): Event {
  let base = event({ method: 'POST', path, cookie })
  let json = /^application\/.*json/.test(type)
  return { ...base, headers: { ...base.headers, 'content-type': type }, body: json ? body : Buffer.from(body).toString('base64'), isBase64Encoded: !json }
}

/** The `_idx=value` pair a response sets, '' when it clears the cookie, or null when it sends none */
export function setCookieOf (res: Response): string | null {
  let header = res.cookies?.find(c => c.startsWith('_idx='))
  if (!header) return null
  return /Max-Age=0/.test(header) ? '' : header.split(';')[0]
}

/** Every cookie a response sets, by name: the new `name=value` pair, or '' where it clears one */
export function cookiesSetBy (res: Response): Record<string, string> {
  return Object.fromEntries((res.cookies ?? []).map(header => {
    let pair = header.split(';')[0]
    return [ pair.slice(0, pair.indexOf('=')), /Max-Age=0/.test(header) ? '' : pair ]
  }))
}

export function bodyOf (res: Response): Record<string, unknown> {
  return JSON.parse(String(res.body)) as Record<string, unknown>
}
