// One typed session wrapper for every route, in both modes:
// - cookie mode (ARC_SESSION_TABLE_NAME=jwe): the session is sealed into the `_idx` cookie;
// - table mode (ARC_SESSION_TABLE_NAME=session): the cookie is a signed id of a DynamoDB row.
//
// A handler gets the session, returns a response, and says what should change:
//   export const handler = withSession(defaults, async (event, session) => {
//     return { ...json(200, session.data), session: { ...session.data, count: 1 } }
//   })
//
// Threat model, in short: the cookie is the only credential. It is HttpOnly (no script can read
// it), SameSite=Lax and Secure outside `testing`. Its contents are encrypted and authenticated
// (cookie mode) or signed (table mode) with ARC_APP_SECRET, so it cannot be read or forged.
// Idle and absolute expiry are checked on every read, never left to the browser or DynamoDB.
import type { APIGatewayProxyEventV2 as Event, APIGatewayProxyStructuredResultV2 as Response } from 'aws-lambda'
import { parseCookie, stringifySetCookie } from 'cookie'
import { clock } from './session/clock.ts'
import { readSettings, type Mode, type Settings } from './session/config.ts'
import { checkData, defaultsOf, splitRecord, type DataOf, type DataSchema, type Meta } from './session/data.ts'
import { ConflictError, type Loaded, type SessionRecord, type SessionStore } from './session/store.ts'
import { html, isCrossSite, json, redirect, wantsJson } from './http.ts'

export interface Session<Data> {
  data: Data
  /** The message the previous request left, shown once */
  flash: string | null
  /** For display only: the same handler code runs in both modes */
  mode: Mode
  /** Where this session lives, for display; never the secret or the raw cookie */
  storage: Storage
}

export interface Storage {
  /** Bytes of the session cookie the browser sent (0 without a session) */
  cookieBytes: number
  /** Table mode: the row's `_idx` */
  rowId: string | null
  /** When the session ends if the visitor does not come back (ms since epoch), or null */
  expiresAt: number | null
}

export type Reply<Data> = Response & {
  /** Store this as the session's data */
  session?: Data
  /** Show this message on the next request, once (e.g. a form error after a redirect) */
  flash?: string
  /** Give the session a new identity: do this on sign-in, so a cookie planted earlier is worthless */
  regenerate?: true
  /** End the session: the cookie is cleared and, in table mode, the row deleted */
  destroy?: true
}

export type SessionHandler<Data> = (event: Event, session: Session<Data>) => Promise<Reply<Data>>

// A read renews the session once half the idle limit has passed (at most a day), so active
// visitors stay signed in without a write on every request
const DAY_MS = 24 * 60 * 60 * 1000
const renewAfterMs = (settings: Settings) => Math.min(DAY_MS, settings.idleSeconds * 1000 / 2)

// Browsers keep cookies of up to 4096 bytes and silently drop bigger ones. Sealed into a JWE,
// a record of n bytes becomes a Set-Cookie of about 1.34 n + 230 bytes, so 2800 bytes keeps it
// under 4096 with room to spare (test/unit/session-size.test.ts checks both). Table mode keeps
// the same limit, so the same handler behaves the same way in both modes.
export const MAX_RECORD_BYTES = 2800

// A conditional write that loses a race re-reads and re-runs the handler, after a random pause
// ("full jitter") so the racers spread out instead of colliding again. Bounded, so a pathological
// burst ends with a clear 409 within about two seconds instead of a Lambda timeout.
const MAX_ATTEMPTS = 10
const backoff = (attempt: number) => new Promise(resolve => setTimeout(resolve, Math.random() * Math.min(250, 10 * 2 ** attempt)))

// Locally (http://localhost) the cookie is Architect's `_idx`. Deployed, it is `__Host-idx`: a
// browser takes a `__Host-` cookie only from this very host, over HTTPS, with Path=/ and no Domain,
// so a page on a sibling subdomain cannot plant a session of its choosing (or wipe the visitor's).
const LOCAL_COOKIE = '_idx'
const HOST_COOKIE = '__Host-idx'
const cookieName = (settings: Settings) => settings.secureCookie ? HOST_COOKIE : LOCAL_COOKIE
const SESSION_TOO_LARGE = 'That would make your session too large to store; nothing was changed'

// Settings are read once per cold start; a bad secret refuses every request (see config.ts)
const setup = readSettings(process.env)
let store: SessionStore | null = null

// Load only the active mode's code, on first use: cookie mode never loads the DynamoDB client,
// which is most of what a cold start would otherwise spend its time on
async function storeFor (settings: Settings): Promise<SessionStore> {
  store ??= settings.mode === 'cookie'
    ? (await import('./session/cookie-store.ts')).cookieStore(settings)
    : (await import('./session/table-store.ts')).tableStore(settings)
  return store
}

/** What one request read: the stored session (if any, and live) and the app's data checked against the schema */
interface Current<Data> {
  loaded: Loaded | null
  meta: Meta | null
  data: Data
  /** Fields that failed the schema: the repaired session is written back */
  reset: string[]
}

/**
 * Wraps a handler: reads the session before it, writes what it returns after it.
 * `schema` is any Standard Schema (valibot, zod, arktype...) whose every field has a default;
 * it types `session.data`, and every stored session is checked against it on read.
 */
export function withSession<S extends DataSchema> (schema: S, handler: SessionHandler<DataOf<S>>) {
  // Checked now, so a schema without defaults fails at cold start rather than on some request
  defaultsOf(schema)

  return async function http (event: Event): Promise<Response> {
    if (!setup.ok) {
      console.error(`Session setup refused: ${setup.problem}`)
      return html(500, '<!doctype html><title>Server error</title><h1>Something went wrong on our side</h1>')
    }
    if (event.requestContext.http.method !== 'GET' && isCrossSite(event)) {
      return answer(event, 403, 'This request came from another site, so it was refused')
    }
    let { settings } = setup
    let sent = sessionCookie(event, settings)
    for (let attempt = 1; ; attempt++) {
      let sessions: SessionStore
      let current: Current<DataOf<S>>
      try {
        sessions = await storeFor(settings)
        current = await read(sessions, sent, schema, settings)
      }
      catch (err) {
        return storeFailed(event, err)
      }
      if (current.reset.length) {
        // Names only: the values are the visitor's data
        console.warn(`Stored session failed the schema (${event.routeKey}); reset to defaults: ${current.reset.join(', ')}`)
      }

      let reply: Reply<DataOf<S>>
      try {
        reply = await handler(event, view(current, settings, sent))
      }
      catch (err) {
        // A bug in a handler is ours, not the session store's: say so, in the log and the status
        console.error(`Handler failed (${event.routeKey}): ${err instanceof Error ? err.stack : String(err)}`)
        return answer(event, 500, 'Something went wrong on our side; try again later')
      }

      try {
        return await commit({ event, reply, current, sent, settings, sessions })
      }
      catch (err) {
        if (!(err instanceof ConflictError)) return storeFailed(event, err)
        if (attempt === MAX_ATTEMPTS) return answer(event, 409, 'This session is busy with other requests; try again')
        await backoff(attempt)
      }
    }
  }
}

// Only the table store does I/O; if it fails, say so instead of crashing
function storeFailed (event: Event, err: unknown): Response {
  console.error(`Session store failed (${event.routeKey}): ${String(err)}`)
  return answer(event, 503, 'Sessions are unavailable right now; try again shortly')
}

interface SentCookie {
  name: string
  value: string
  /** An `_idx` from before deployed stages used `__Host-idx`: read once, then moved (see commit) */
  legacy: boolean
}

function lastCookie (event: Event, name: string): string | null {
  let pairs = event.cookies ?? (event.headers.cookie ?? '').split(';')
  let last = pairs.map(pair => pair.trim()).filter(pair => pair.startsWith(`${name}=`)).at(-1)
  let value = last ? parseCookie(last)[name] : undefined
  // An absurdly long value cannot be ours, so it is not worth any crypto work
  return value && value.length <= 4096 ? value : null
}

// When several cookies of one name are sent, Architect reads the last; so do we, so both agree
function sessionCookie (event: Event, settings: Settings): SentCookie | null {
  let name = cookieName(settings)
  let value = lastCookie(event, name)
  if (value !== null) return { name, value, legacy: false }
  let legacy = name === HOST_COOKIE ? lastCookie(event, LOCAL_COOKIE) : null
  return legacy === null ? null : { name: LOCAL_COOKIE, value: legacy, legacy: true }
}

// Expiry is enforced here, on every read, whatever the cookie or the table still holds
function isLive (meta: Meta, settings: Settings): boolean {
  let now = clock.now()
  return now - meta.renewed <= settings.idleSeconds * 1000 && now - meta.since <= settings.absoluteSeconds * 1000
}

async function read<S extends DataSchema> (sessions: SessionStore, sent: SentCookie | null, schema: S, settings: Settings): Promise<Current<DataOf<S>>> {
  let loaded = sent ? await sessions.load(sent.value) : null
  let stored = loaded && splitRecord(loaded.record)
  // A record written for `__Host-idx` that arrives as `_idx` was renamed by someone: a sibling
  // subdomain planting its own session. Only sessions from before `__Host-idx` may arrive as `_idx`.
  let planted = sent?.legacy === true && stored?.meta.host === true
  if (!loaded || !stored || !isLive(stored.meta, settings) || planted) {
    return { loaded: null, meta: null, data: defaultsOf(schema), reset: [] }
  }
  return { loaded, meta: stored.meta, ...checkData(schema, stored.fields) }
}

function view<Data> (current: Current<Data>, settings: Settings, sent: SentCookie | null): Session<Data> {
  let { loaded, meta, data } = current
  let storage: Storage = {
    cookieBytes: loaded && sent ? Buffer.byteLength(`${sent.name}=${encodeURIComponent(sent.value)}`) : 0,
    rowId: loaded?.id ?? null,
    expiresAt: meta ? meta.renewed + settings.idleSeconds * 1000 : null,
  }
  return { data, flash: meta?.flash ?? null, mode: settings.mode, storage }
}

function recordOf (data: object, settings: Settings, now: number, since: number, flash?: string): SessionRecord {
  let record: SessionRecord = { ...data, _renewed: now, _since: since }
  if (flash !== undefined) record._flash = flash
  if (cookieName(settings) === HOST_COOKIE) record._host = true
  return record
}

interface Commit<Data> {
  event: Event
  reply: Reply<Data>
  current: Current<Data>
  sent: SentCookie | null
  settings: Settings
  sessions: SessionStore
}

async function commit<Data extends object> ({ event, reply, current, sent, settings, sessions }: Commit<Data>): Promise<Response> {
  let { session: data, flash, regenerate, destroy, ...response } = reply
  let { loaded, meta } = current
  let now = clock.now()
  // A live legacy `_idx` moves to `__Host-idx` under a new identity, so the `_idx` string (which
  // a sibling subdomain could have planted) opens nothing after this; it is cleared as well
  let moving = loaded !== null && sent?.legacy === true
  let clearingLegacy = (response: Response) => sent?.legacy ? clearCookie(response, settings, sent.name) : response

  if (destroy) {
    if (loaded) await sessions.remove(loaded)
    return clearingLegacy(clearCookie(response, settings, cookieName(settings)))
  }

  let mustWrite = data !== undefined || flash !== undefined || regenerate === true || moving ||
    // a flash is shown once, so reading it is a change; an old secret, an old renewal or data
    // that failed the schema gets refreshed
    (meta !== null && (meta.flash !== null || now - meta.renewed > renewAfterMs(settings))) ||
    loaded?.oldSecret === true || current.reset.length > 0
  if (!mustWrite) {
    // A visitor without a session costs nothing: no row, no cookie. A dead cookie is cleared.
    return sent && !loaded ? clearCookie(response, settings, sent.name) : withNoStore(response)
  }

  // The absolute lifetime runs from the session's start or the last sign-in, whichever is later
  let since = regenerate || !meta ? now : meta.since
  let record = recordOf(data ?? current.data, settings, now, since, flash)

  if (Buffer.byteLength(JSON.stringify(record)) > MAX_RECORD_BYTES) {
    if (wantsJson(event)) return withNoStore(json(413, { error: SESSION_TOO_LARGE }))
    // Keep the stored data as it was; only leave the message
    let kept = recordOf(current.data, settings, now, meta?.since ?? now, SESSION_TOO_LARGE)
    let value = await sessions.save(kept, loaded, moving)
    return clearingLegacy(withCookie(redirect('/'), settings, value))
  }

  let value = await sessions.save(record, loaded, regenerate === true || moving)
  return clearingLegacy(withCookie(response, settings, value))
}

function answer (event: Event, status: number, message: string): Response {
  let response = wantsJson(event)
    ? json(status, { error: message })
    : html(status, `<!doctype html><title>${status}</title><p>${message}</p><p><a href="/">Back</a></p>`)
  return withNoStore(response)
}

// Every page here depends on who is asking, so no shared cache may keep one
function withNoStore (response: Response): Response {
  return { ...response, headers: { ...response.headers, 'cache-control': 'no-store' } }
}

function setCookie (response: Response, settings: Settings, name: string, value: string, maxAgeSeconds: number): Response {
  let cookie = stringifySetCookie(name, value, {
    httpOnly: true, // no script can read it
    sameSite: 'lax', // not sent on cross-site POSTs
    secure: settings.secureCookie, // HTTPS only outside `testing`, where http://localhost must work
    path: '/', // and no Domain: only this host gets it
    maxAge: maxAgeSeconds, // the same idle limit the server enforces; 0 clears it
  })
  return withNoStore({ ...response, cookies: [ ...(response.cookies ?? []), cookie ] })
}

function withCookie (response: Response, settings: Settings, value: string): Response {
  return setCookie(response, settings, cookieName(settings), value, settings.idleSeconds)
}

function clearCookie (response: Response, settings: Settings, name: string): Response {
  return setCookie(response, settings, name, '', 0)
}
