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
  /** Bytes of the `_idx=…` cookie the browser sent (0 without a session) */
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

// A read renews the session at most once a day, so active visitors stay signed in
// without a write on every request
const RENEW_AFTER_MS = 24 * 60 * 60 * 1000

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

const COOKIE = '_idx'
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

export function withSession<Data extends object> (defaults: Data, handler: SessionHandler<Data>) {
  return async function http (event: Event): Promise<Response> {
    if (!setup.ok) {
      console.error(`Session setup refused: ${setup.problem}`)
      return html(500, '<!doctype html><title>Server error</title><h1>Something went wrong on our side</h1>')
    }
    if (event.requestContext.http.method !== 'GET' && isCrossSite(event)) {
      return answer(event, 403, 'This request came from another site, so it was refused')
    }
    let { settings } = setup
    let cookieValue = sessionCookie(event)
    try {
      let sessions = await storeFor(settings)
      for (let attempt = 1; ; attempt++) {
        let loaded = cookieValue ? live(await sessions.load(cookieValue), settings) : null
        let reply = await handler(event, view(loaded, defaults, settings, cookieValue))
        try {
          return await commit({ event, reply, loaded, sentCookie: cookieValue !== null, settings, sessions })
        }
        catch (err) {
          if (!(err instanceof ConflictError)) throw err
          if (attempt === MAX_ATTEMPTS) return answer(event, 409, 'This session is busy with other requests; try again')
          await backoff(attempt)
        }
      }
    }
    catch (err) {
      // Only the table store does I/O; if it fails, say so instead of crashing
      console.error(`Session store failed: ${String(err)}`)
      return answer(event, 503, 'Sessions are unavailable right now; try again shortly')
    }
  }
}

// Architect reads the last `_idx` cookie when several are sent; so do we, so both agree.
// An absurdly long value cannot be ours, so it is not worth any crypto work.
function sessionCookie (event: Event): string | null {
  let pairs = event.cookies ?? (event.headers.cookie ?? '').split(';')
  let last = pairs.map(pair => pair.trim()).filter(pair => pair.startsWith(`${COOKIE}=`)).at(-1)
  let value = last ? parseCookie(last)[COOKIE] : undefined
  return value && value.length <= 4096 ? value : null
}

// Expiry is enforced here, on every read, whatever the cookie or the table still holds
function live (loaded: Loaded | null, settings: Settings): Loaded | null {
  if (!loaded) return null
  let now = clock.now()
  let { _renewed, _since } = loaded.record
  if (now - _renewed > settings.idleSeconds * 1000) return null
  if (typeof _since === 'number' && now - _since > settings.absoluteSeconds * 1000) return null
  return loaded
}

function appFields (record: SessionRecord | undefined): Record<string, unknown> {
  let { _renewed, _since, _flash, ...fields } = record ?? { _renewed: 0 }
  return fields
}

function view<Data> (loaded: Loaded | null, defaults: Data, settings: Settings, cookieValue: string | null): Session<Data> {
  // Stored data was written by this app, sealed or signed, so its shape can be trusted
  let data = { ...defaults, ...appFields(loaded?.record) } as Data
  let storage: Storage = {
    cookieBytes: loaded && cookieValue ? Buffer.byteLength(`${COOKIE}=${encodeURIComponent(cookieValue)}`) : 0,
    rowId: loaded?.id ?? null,
    expiresAt: loaded ? loaded.record._renewed + settings.idleSeconds * 1000 : null,
  }
  return { data, flash: loaded?.record._flash ?? null, mode: settings.mode, storage }
}

function recordOf (fields: Record<string, unknown>, now: number, since?: number, flash?: string): SessionRecord {
  let record: SessionRecord = { ...fields, _renewed: now }
  if (since !== undefined) record._since = since
  if (flash !== undefined) record._flash = flash
  return record
}

interface Commit<Data> {
  event: Event
  reply: Reply<Data>
  loaded: Loaded | null
  sentCookie: boolean
  settings: Settings
  sessions: SessionStore
}

async function commit<Data> ({ event, reply, loaded, sentCookie, settings, sessions }: Commit<Data>): Promise<Response> {
  let { session: data, flash, regenerate, destroy, ...response } = reply
  let now = clock.now()

  if (destroy) {
    if (loaded) await sessions.remove(loaded)
    return withCookie(response, settings, '', 0)
  }

  let mustWrite = data !== undefined || flash !== undefined || regenerate === true ||
    // a flash is shown once, so reading it is a change; an old secret or an old renewal gets refreshed
    loaded?.record._flash !== undefined || loaded?.oldSecret === true ||
    (loaded !== null && now - loaded.record._renewed > RENEW_AFTER_MS)
  if (!mustWrite) {
    // A visitor without a session costs nothing: no row, no cookie. A dead cookie is cleared.
    return sentCookie && !loaded ? withCookie(response, settings, '', 0) : withNoStore(response)
  }

  let since = regenerate ? now : loaded?.record._since
  let record = recordOf(data ?? appFields(loaded?.record), now, since, flash)

  if (Buffer.byteLength(JSON.stringify(record)) > MAX_RECORD_BYTES) {
    if (wantsJson(event)) return withNoStore(json(413, { error: SESSION_TOO_LARGE }))
    // Keep the stored data as it was; only leave the message
    let kept = recordOf(appFields(loaded?.record), now, loaded?.record._since, SESSION_TOO_LARGE)
    let value = await sessions.save(kept, loaded, false)
    return withCookie(redirect('/'), settings, value, settings.idleSeconds)
  }

  let value = await sessions.save(record, loaded, regenerate === true)
  return withCookie(response, settings, value, settings.idleSeconds)
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

function withCookie (response: Response, settings: Settings, value: string, maxAgeSeconds: number): Response {
  let cookie = stringifySetCookie(COOKIE, value, {
    httpOnly: true, // no script can read it
    sameSite: 'lax', // not sent on cross-site POSTs
    secure: settings.secureCookie, // HTTPS only outside `testing`, where http://localhost must work
    path: '/',
    maxAge: maxAgeSeconds, // the same idle limit the server enforces; 0 clears it
  })
  return withNoStore({ ...response, cookies: [ ...(response.cookies ?? []), cookie ] })
}
