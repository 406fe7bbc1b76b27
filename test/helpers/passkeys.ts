// Signing up and in with a passkey, as the page's script does it, for any way a test reaches the
// app: over HTTP to Sandbox (`visitor`), or by calling a handler (`warmLambda`, `inProcess`).
import type { APIGatewayProxyEventV2 as Event, APIGatewayProxyStructuredResultV2 as Response } from 'aws-lambda'
import { authenticator, type Authenticator, type Bend, type CreationOptions, type RequestOptions } from './authenticator.ts'
import { JSON_HEADERS, type Visitor } from './browser-like.ts'
import { rawPost } from './lambda.ts'
import type { Route } from './warm-lambda.ts'

export { authenticator }

/** One JSON request from a client that keeps its cookie: the status and the parsed body */
export type Ask = (path: string, body: object) => Promise<{ status: number, body: Record<string, unknown> }>

/** The origin of the page the "browser" is on: Sandbox's for a visitor, the test events' Host for handlers */
export { base as SANDBOX_ORIGIN } from './ports.ts'
export const EVENT_ORIGIN = 'http://localhost:3333'

/** A visitor of Sandbox, asking with `Accept: application/json` (and any other `headers`) */
export function askOver (visitor: Visitor, headers: Record<string, string> = {}): Ask {
  return async (path, body) => {
    let reply = await visitor.post(path, body, { ...JSON_HEADERS, ...headers })
    return { status: reply.status, body: reply.json() }
  }
}

/** The route (a folder under src/http) a passkey path is served by */
export function routeOf (path: string): Route {
  return `post-${path.slice(1).replaceAll('/', '-')}` as Route
}

/**
 * A client of handlers called directly (`call` runs a route with an event) that keeps the cookies
 * they set, like a browser: `cookie()` is what it sends, `name=value` pairs joined by `; `, and
 * `post` sends a body of JSON text as it is, even one that is not JSON
 */
export function askHandlers (call: (route: Route, event: Event) => Promise<Response>, cookie = ''): Ask & { cookie (): string, post (path: string, text: string): ReturnType<Ask> } {
  let jar = new Map(cookie.split('; ').filter(Boolean).map(pair => [ pair.slice(0, pair.indexOf('=')), pair ]))
  let sent = () => [ ...jar.values() ].join('; ')
  let post = async (path: string, text: string) => {
    let response = await call(routeOf(path), rawPost(path, text, 'application/json', sent() || undefined))
    for (let header of response.cookies ?? []) {
      let pair = header.split(';')[0]
      let name = pair.slice(0, pair.indexOf('='))
      if (/Max-Age=0/.test(header)) jar.delete(name)
      else jar.set(name, pair)
    }
    return { status: Number(response.statusCode), body: JSON.parse(String(response.body)) as Record<string, unknown> }
  }
  let ask = (path: string, body: object) => post(path, JSON.stringify(body))
  return Object.assign(ask, { cookie: sent, post })
}

// The passkey each test name signed up with, so that the next sign-in under that name uses it
const devices = new Map<string, Authenticator>()

/**
 * Signs in under `name` through handlers called directly: with the passkey it signed up with
 * earlier in this test file, or else by signing up. Returns the cookies the client ends with
 * (`cookie` is what it had before). `origin`: the page's origin, which is the events' Host
 * locally and PASSKEY_ORIGIN in a deployed stage.
 */
export async function signedInCookie (call: (route: Route, event: Event) => Promise<Response>, name: string, { cookie = '', origin = EVENT_ORIGIN } = {}): Promise<string> {
  let ask = askHandlers(call, cookie)
  let device = devices.get(`${origin} ${name}`)
  // Kept signed in (a cookie with Max-Age), as every sign-in was before that choice existed
  let remember = { remember: true }
  let reply = device ? await signIn(ask, device, {}, remember) : { status: 0, body: {} }
  if (reply.status !== 200) {
    device = authenticator(origin)
    devices.set(`${origin} ${name}`, device)
    reply = await signUp(ask, device, name, remember)
  }
  if (reply.status !== 200) throw new Error(`sign-in failed: ${reply.status} ${JSON.stringify(reply.body)}`)
  return ask.cookie()
}

/** Signs up under `name` with a new passkey on `device`; the answer to POST /passkeys/register */
export async function signUp (ask: Ask, device: Authenticator, name: string, extra: object = {}) {
  let options = await ask('/passkeys/register/options', { name, ...extra })
  if (options.status !== 200) return options
  return ask('/passkeys/register', device.create(options.body as unknown as CreationOptions))
}

/** Signs in with `device`'s passkey, its answer bent by `bend`; the answer to POST /passkeys/login */
export async function signIn (ask: Ask, device: Authenticator, bend: Bend & { credentialId?: string } = {}, extra: object = {}) {
  let options = await ask('/passkeys/login/options', extra)
  if (options.status !== 200) return options
  return ask('/passkeys/login', device.get(options.body as unknown as RequestOptions, bend))
}

/** An authenticator holding a passkey this app never registered */
export function unregistered (origin: string): Authenticator {
  let device = authenticator(origin)
  device.create({ challenge: 'never-sent', rp: {}, user: { id: 'bm9ib2R5' } })
  return device
}

/** A unique name for a test's account: accounts outlive one test in Sandbox's tables */
export function uniqueName (base: string): string {
  return `${base} ${Math.random().toString(36).slice(2, 8)}`
}
