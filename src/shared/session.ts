// One typed session wrapper for every route, in both modes:
// - cookie mode (ARC_SESSION_TABLE_NAME=jwe): the session is sealed into the cookie;
// - table mode (ARC_SESSION_TABLE_NAME=session): the cookie is a signed id of a DynamoDB row.
//
// A handler gets the session, returns a response, and says what should change:
//   export const handler = withSession(schema, async (event, session) => {
//     return { ...json(200, session.data), session: { ...session.data, count: 1 } }
//   })
//
// Threat model, in short: the cookie is the only credential. It is HttpOnly (no script can read
// it), SameSite=Lax, and once deployed a Secure `__Host-` cookie no other host can set. Its
// contents are encrypted and authenticated (cookie mode) or signed (table mode) with
// ARC_APP_SECRET, so it cannot be read or forged, and it opens only in the app and stage that
// wrote it. Everything read back (the cookie, the row, the data in it) is checked before use.
// Idle and absolute expiry are checked on every read, never left to the browser or DynamoDB.
// Every request answers before Lambda's timeout. (docs/security.md has the whole threat model.)
import { randomBytes } from 'node:crypto'
import type { APIGatewayProxyEventV2 as Event, APIGatewayProxyStructuredResultV2 as Response, Context } from 'aws-lambda'
import { boundCookieName, boundValue, checkChallenge, hasBoundCookie, newChallenge, type BindingKey, type Bound, type ChallengePurpose } from './session/binding.ts'
import { clock } from './session/clock.ts'
import { isDeployed, type Mode, type Settings } from './session/config.ts'
import { LOCAL_COOKIE, clearCookie, sentCookie, setCookie, shadowedCookie, type SentCookie } from './session/cookies.ts'
import { checkData, defaultsOf, splitRecord, type DataOf, type DataSchema, type Meta } from './session/data.ts'
import { ICON, html, isCrossSite, json, redirect, wantsJson, withStandardHeaders } from './session/http.ts'
import { log, type SessionEvent, type Where } from './session/log.ts'
import { setup, storeFor } from './session/setup.ts'
import { ConflictError, DeadlineError, ENDED, SessionEndedError, StoreError, ThrottledError, endOf, isLive, type Loaded, type SessionRecord, type SessionStore } from './session/store.ts'

// An owner's sessions, listed and ended (session/owners.ts)
export { endSession, sessionsOf, type OwnedSession } from './session/owners.ts'
export type { BindingKey, Bound } from './session/binding.ts'

export interface Session<Data> {
  data: Data
  /** The message the previous request left, shown once */
  flash: string | null
  /**
   * The session this browser sent was ended from another device: its owner signed out everywhere
   * (else), or ended it by its handle. The session is a new visitor's, and the cookie is cleared,
   * so this is true once: tell the visitor why they are signed out.
   */
  endedElsewhere: boolean
  /** For display only: the same handler code runs in both modes */
  mode: Mode
  /** Where this session lives, for display; never the secret or the raw cookie */
  storage: Storage
}

export interface Storage {
  /** The session cookie's name here: `_idx` locally, `__Host-idx` (or `__Secure-idx`) once deployed */
  cookieName: string
  /** Bytes of the session cookie the browser sent (0 without a session) */
  cookieBytes: number
  /** Table mode: the row's `_idx` */
  rowId: string | null
  /** When the session ends if the visitor does not come back (ms since epoch), or null */
  expiresAt: number | null
  /** An owned session's handle, by which `sessionsOf` lists it and `endSession` ends it; null without an owner */
  handle: string | null
  /** Bound to its device (DBSC): the id its browser knows it by and the public key it proved it holds; null while unbound */
  bound: Bound | null
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
  /**
   * End the session this many seconds from now, unless a later answer changes its data: for a
   * session that holds only something short-lived (a sign-in challenge), so that neither its
   * cookie nor its row outlives it. It can only bring the end closer.
   */
  endsIn?: number
  /**
   * Who the session belongs to (an account's id), kept for later answers: all of an owner's
   * sessions can then be listed (`sessionsOf`) and ended (`endSession`, `endOthers`). Set it at sign-in.
   */
  owner?: string
  /**
   * End every other session of this session's owner, from their next request on, and keep this
   * one under a new identity. Table mode deletes their rows; cookie mode records that every
   * session signed in until now has ended, and re-issues this one as signed in at that moment.
   * A session that was itself ended elsewhere is signed out instead (401).
   */
  endOthers?: true
  /**
   * Sign-in's "keep me signed in on this device": true, the cookie lasts the idle limit
   * (`Max-Age`); false, a browser-session cookie (no Max-Age, gone when the browser closes), on
   * this answer and every later one. The server's limits apply either way.
   */
  remember?: boolean
  /**
   * Device binding (W3C DBSC, session/binding.ts). `offerBinding`, on a sign-in's answer: ask the
   * browser to bind this session, at that registration path. `bindTo`: the browser proved it holds
   * this key (answering a challenge from `bindingChallenge('register', handle)`): the session is
   * bound, and gets its bound cookie. `refreshBinding`: the key holder proved it again: a new bound
   * cookie. From then on every request of the session needs that cookie, or it is answered as a
   * new visitor's and changes nothing.
   */
  offerBinding?: string
  bindTo?: BindingKey
  refreshBinding?: true
}

/** Options of `withSession`: `refreshesBinding` for the one route that gives a bound session its bound cookie back, which its requests arrive without */
export interface SessionOptions {
  refreshesBinding?: true
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

// Each request may spend what Lambda says is left of its timeout (10 s, `@aws timeout` in app.arc)
// less a margin to send the answer, so a slow or busy DynamoDB gets a 503 or a 409 with a
// message, never a timeout. Called without a Lambda context (tests, the bench): the same 10 s.
const TIMEOUT_MS = 10_000
const MARGIN_MS = 1000

// A conditional write that loses a race re-reads and re-runs the handler, after a random pause
// ("full jitter") so the racers spread out instead of colliding again. A pathological burst ends
// with a clear 409 after MAX_ATTEMPTS. The pauses add up to 1.55 s at most, and the deadline
// still bounds every store call: a budget spent while pausing ends in the next call's 503.
const MAX_ATTEMPTS = 10
const backoffMs = (attempt: number) => Math.random() * Math.min(250, 10 * 2 ** attempt)
const pause = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))

// A 503 from the store is worth retrying soon: say when
const RETRY_AFTER_SECONDS = 2
const SESSION_TOO_LARGE = 'That would make your session too large to store; nothing was changed'

/** What one request read: the stored session (if any, and live) and the app's data checked against the schema */
interface Current<Data> {
  loaded: Loaded | null
  meta: Meta | null
  data: Data
  /** Fields that failed the schema: the repaired session is written back */
  reset: string[]
  /** A bound session sent without its bound cookie: answered as a new visitor's, and nothing of the answer is kept */
  unbound: boolean
  /** The session sent was ended from another device (`Session.endedElsewhere`) */
  ended: boolean
}

/** Everything one request knows beyond its event */
interface Request {
  event: Event
  settings: Settings
  where: Where
  /** `performance.now()` time by which every store call must have answered */
  deadline: number
  sent: SentCookie | null
  refreshesBinding: boolean
}

/**
 * Wraps a handler: reads the session before it, writes what it returns after it.
 * `schema` is any Standard Schema (valibot, zod, arktype...) whose every field has a default;
 * it types `session.data`, and every stored session is checked against it on read.
 */
export function withSession<S extends DataSchema> (schema: S, handler: SessionHandler<DataOf<S>>, options: SessionOptions = {}) {
  // Checked now, so a schema without defaults fails at cold start rather than on some request
  defaultsOf(schema)

  return async function http (event: Event, context?: Context): Promise<Response> {
    let deadline = performance.now() + (context?.getRemainingTimeInMillis() ?? TIMEOUT_MS) - MARGIN_MS
    // Sandbox gives neither id; Lambda and API Gateway give both
    let requestId = context?.awsRequestId || event.requestContext.requestId || 'local'
    let where: Where = { requestId, route: event.routeKey, mode: setup.ok ? setup.settings.mode : null }
    if (!setup.ok) {
      log('setup.refused', where, { message: setup.problem })
      // Refused settings are still a deployed stage's: its page gets HSTS like every other answer
      return withStandardHeaders(html(500, `<!doctype html><title>Server error</title>${ICON}<h1>Something went wrong on our side</h1>`), isDeployed(process.env))
    }
    let { settings } = setup
    let request: Request = { event, settings, where, deadline, sent: sentCookie(event, settings), refreshesBinding: options.refreshesBinding === true }
    if (event.requestContext.http.method !== 'GET' && isCrossSite(event, settings.deployed)) {
      return answer(request, 403, 'This request came from another site, so it was refused')
    }
    // Several session cookies of one name: a host under a parent domain planted one, and which is
    // the visitor's cannot be told. Read none (this is a new visitor), and clear the name wherever
    // it may have been set, ahead of any cookie this answer sets.
    // (only a request without a readable cookie can have sent several: `sentCookie` reads one alone)
    let shadowed = request.sent ? null : shadowedCookie(event, settings)
    if (!shadowed) return respond(request, schema, handler)
    log('session.rejected', where, { message: 'several session cookies of one name: one was planted by another host' })
    let response = await respond(request, schema, handler)
    let clearing = clearCookie({ statusCode: 200 }, settings, shadowed, event.headers.host).cookies ?? []
    // (a Set: a sign-out already clears the same cookies, and once is enough)
    return withStandardHeaders({ ...response, cookies: [ ...new Set([ ...clearing, ...(response.cookies ?? []) ]) ] }, settings.deployed)
  }
}

/** Reads the session, runs the handler and writes what it returned, re-running it after a lost race */
async function respond<S extends DataSchema> (request: Request, schema: S, handler: SessionHandler<DataOf<S>>): Promise<Response> {
  let { event, where } = request
  let waitedMs = 0
  // Whether the first read found a session: if a retry finds none, another request ended or moved it
  let startedWithSession = false
  for (let attempt = 1; ; attempt++) {
    let sessions: SessionStore
    let current: Current<DataOf<S>>
    try {
      sessions = await storeFor(request.settings)
      current = await read(request, sessions, schema)
    }
    catch (err) {
      return storeFailed(request, err)
    }
    if (attempt === 1) startedWithSession = current.loaded !== null
    else if (startedWithSession && !current.loaded) {
      // A sign-in, a sign-out or a move to __Host-idx won the race. Running the handler again as a
      // new visitor would answer with a cookie that replaces the one that request just set.
      log('session.superseded', where)
      return answer(request, 409, 'Your session changed in another request (a sign-in or sign-out) while this one ran, so nothing was changed; reload the page and try again')
    }

    let reply: Reply<DataOf<S>>
    try {
      reply = await handler(event, view(current, request))
    }
    catch (err) {
      // The store failing under `sessionsOf` or `endSession` is a 503 like any other store failure
      if (err instanceof StoreError) return storeFailed(request, err)
      // A bug in a handler is ours, not the session store's: say so, in the log and the status
      log('handler.failed', where, { error: err instanceof Error ? err.name : typeof err, message: err instanceof Error ? err.stack : undefined })
      return answer(request, 500, 'Something went wrong on our side; try again later')
    }

    try {
      return await commit(request, reply, current, sessions)
    }
    catch (err) {
      if (err instanceof SessionEndedError) return endedElsewhere(request)
      if (!(err instanceof ConflictError)) return storeFailed(request, err)
      if (attempt === MAX_ATTEMPTS) {
        log('conflicts.exhausted', where, { attempts: attempt, waitedMs: Math.round(waitedMs) })
        return answer(request, 409, 'This session is busy with other requests; try again')
      }
      let wait = backoffMs(attempt)
      waitedMs += wait
      await pause(wait)
    }
  }
}

// Only the table store does I/O; if it fails, say so (and when to come back) instead of crashing.
// The log quotes only messages the store wrote itself: DynamoDB's own can quote the row's key.
function storeFailed (request: Request, err: unknown): Response {
  let details = { error: err instanceof Error ? err.name : typeof err, message: err instanceof StoreError ? err.message : undefined }
  let event: SessionEvent = err instanceof DeadlineError ? 'deadline.reached' : err instanceof ThrottledError ? 'store.throttled' : 'store.failed'
  log(event, request.where, details)
  let response = answer(request, 503, 'Sessions are unavailable right now; try again shortly')
  return { ...response, headers: { ...response.headers, 'retry-after': String(RETRY_AFTER_SECONDS) } }
}

// Found out while ending the others (`Reply.endOthers`): this session had been ended already
function endedElsewhere (request: Request): Response {
  log('session.revoked', request.where)
  return cleared(answer(request, 401, 'This session was signed out from another device; sign in again'), request, request.settings.cookie.name)
}

async function read<S extends DataSchema> (request: Request, sessions: SessionStore, schema: S): Promise<Current<DataOf<S>>> {
  let { sent, settings, where } = request
  // A new visitor's session: the defaults, made only when needed (a validation and a copy)
  let empty = () => ({ loaded: null, meta: null, data: defaultsOf(schema), reset: [], unbound: false, ended: false })
  if (!sent) return empty()
  let loaded = await sessions.load(sent.value, request.deadline)
  // Table mode: the row is a marker that its owner ended it
  if (loaded === ENDED) {
    log('session.revoked', where)
    return { ...empty(), ended: true }
  }
  if (!loaded) {
    log('session.rejected', where) // forged, tampered, foreign, or its row is gone
    return empty()
  }
  let stored = splitRecord(loaded.record)
  // A record written for `__Host-idx` that arrives as `_idx` was renamed by someone: a sibling
  // subdomain planting its own session. Only sessions from before `__Host-idx` may arrive as `_idx`.
  if (sent.legacy && stored.meta.host) {
    log('session.rejected', where, { message: 'a __Host-idx session sent as _idx' })
    return empty()
  }
  // Sealed with our secret, but by another stage or app that shares it
  if (stored.meta.audience !== null && stored.meta.audience !== settings.audience) {
    log('session.rejected', where, { message: 'a session written for another app or stage' })
    return empty()
  }
  if (loaded.expired || !isLive(stored.meta, settings)) {
    log('session.expired', where)
    return empty()
  }
  // Cookie mode cannot take a cookie back: an owner who ended all their sessions did it by time
  let { owner } = stored.meta
  if (owner !== null && stored.meta.since < await sessions.signedOutBefore(owner, request.deadline)) {
    log('session.revoked', where)
    return { ...empty(), ended: true }
  }
  // A session bound to a device works only with the bound cookie its browser keeps refreshing:
  // a copy of the session cookie alone, taken elsewhere, opens nothing (one MAC to check)
  let { bound } = stored.meta
  if (bound && !request.refreshesBinding && !hasBoundCookie(request.event, settings, bound.id, clock.now())) {
    log('session.unbound', where, { handle: stored.meta.handle ?? undefined })
    return { ...empty(), unbound: true }
  }
  let checked = checkData(schema, stored.fields)
  if (checked.reset.length) log('session.data_reset', where, { fields: checked.reset })
  return { loaded, meta: stored.meta, ...checked, unbound: false, ended: false }
}

function view<Data> (current: Current<Data>, { settings, sent }: Request): Session<Data> {
  let { loaded, meta, data } = current
  let storage: Storage = {
    cookieName: settings.cookie.name,
    cookieBytes: loaded && sent ? sent.bytes : 0,
    rowId: loaded?.id ?? null,
    expiresAt: meta ? endOf(meta, settings) : null,
    handle: meta?.handle ?? null,
    bound: meta?.bound ?? null,
  }
  return { data, flash: meta?.flash ?? null, endedElsewhere: current.ended, mode: settings.mode, storage }
}

/** The wrapper's own fields of a record written now */
interface Bookkeeping {
  since: number
  flash?: string
  ends: number | null
  owner: string | null
  handle: string | null
  forget: boolean
  bound: Bound | null
}

function recordOf (data: object, settings: Settings, now: number, kept: Bookkeeping): SessionRecord {
  let record: SessionRecord = { ...data, _renewed: now, _since: kept.since }
  if (kept.flash !== undefined) record._flash = kept.flash
  if (kept.ends !== null) record._ends = kept.ends
  if (kept.owner !== null) record._owner = kept.owner
  if (kept.handle !== null) record._handle = kept.handle
  if (kept.forget) record._forget = true
  if (kept.bound !== null) record._bound = kept.bound
  if (settings.cookie.name !== LOCAL_COOKIE) record._host = true
  record._aud = settings.audience
  return record
}

/** What a stored session's bookkeeping was, to write it again unchanged */
function keptFrom (meta: Meta | null, now: number, flash?: string): Bookkeeping {
  return { since: meta?.since ?? now, flash, ends: meta?.ends ?? null, owner: meta?.owner ?? null, handle: meta?.handle ?? null, forget: meta?.forget ?? false, bound: meta?.bound ?? null }
}

// 96 random bits: a handle names a session to its owner, and opens nothing
const newHandle = () => randomBytes(12).toString('base64url')

/** An owned session's handle: a new identity gets a new one, so a handle never outlives the session it named */
function handleFor (owner: string | null, kept: string | null, newIdentity: boolean): string | null {
  if (owner === null) return null
  return newIdentity || kept === null ? newHandle() : kept
}

/**
 * Whether a session the handler left unchanged must be written back all the same: a flash is
 * shown once, so reading it is a change; an old renewal, a session from before the
 * app-and-stage binding, one sealed with the previous secret, or data that failed the schema
 * gets refreshed
 */
function isStale ({ loaded, meta, reset }: Current<unknown>, settings: Settings, now: number): boolean {
  if (!loaded || !meta) return false
  return meta.flash !== null || now - meta.renewed > renewAfterMs(settings) || meta.audience === null || loaded.oldSecret || reset.length > 0
}

async function commit<Data extends object> (request: Request, reply: Reply<Data>, current: Current<Data>, sessions: SessionStore): Promise<Response> {
  let { event, settings, sent, where, deadline } = request
  let { session: data, flash, regenerate, destroy, endsIn, owner, remember, endOthers, offerBinding, bindTo, refreshBinding, ...response } = reply
  let { loaded, meta } = current
  // Answered as a new visitor's: no write, no cookie, so the session stays as its key holder left it
  if (current.unbound) return withStandardHeaders(response, settings.deployed)
  // When the kept session counts as signed in from, once its owner's others have ended
  let keptSince = endOthers && meta?.owner ? await sessions.endOthers(meta.owner, { handle: meta.handle, since: meta.since }, deadline) : null
  let now = clock.now()
  // A live legacy `_idx` moves to `__Host-idx` under a new identity, so the `_idx` string (which
  // a sibling subdomain could have planted) opens nothing after this; it is cleared as well
  let moving = sent?.legacy === true && loaded !== null
  let clearingLegacy = (response: Response) => sent?.legacy ? cleared(response, request, sent.name) : response

  if (destroy) {
    if (loaded) {
      await sessions.remove(loaded, deadline)
      log('session.destroyed', where)
    }
    // Ending a bound session ends its binding: the bound cookie goes too
    let ended = cleared(response, request, settings.cookie.name)
    return clearingLegacy(meta?.bound ? cleared(ended, request, boundCookieName(settings)) : ended)
  }

  let changed = data !== undefined || flash !== undefined || regenerate === true || moving || keptSince !== null || bindTo !== undefined
  if (!changed && !isStale(current, settings, now)) {
    // A visitor without a session costs nothing: no row, no cookie. A dead cookie is cleared.
    if (sent && !loaded) return cleared(response, request, sent.name)
    return withStandardHeaders(withBinding(response, request, meta?.bound ?? null, null, refreshBinding === true, now), settings.deployed)
  }

  let newIdentity = regenerate === true || moving || keptSince !== null
  let kept = keptFrom(meta, now)
  let ownedBy = owner ?? kept.owner
  let record = recordOf(data ?? current.data, settings, now, {
    // The absolute lifetime runs from the session's start or the last sign-in, whichever is later
    since: keptSince ?? (regenerate ? now : kept.since),
    flash,
    // An early end lasts until the data changes: showing a flash or renewing keeps it
    ends: endsIn !== undefined ? now + endsIn * 1000 : data === undefined ? kept.ends : null,
    owner: ownedBy,
    handle: handleFor(ownedBy, kept.handle, newIdentity),
    forget: remember !== undefined ? !remember : kept.forget,
    // A sign-in starts unbound: the key of the session before it proves nothing about this one
    bound: regenerate ? null : kept.bound,
  })
  if (bindTo && record._handle) record._bound = { id: record._handle, ...bindTo }

  if (tooLarge(record)) {
    if (wantsJson(event)) return withStandardHeaders(json(413, { error: SESSION_TOO_LARGE }), settings.deployed)
    // Keep the stored data as it was; only leave the message
    record = recordOf(current.data, settings, now, { ...keptFrom(meta, now, SESSION_TOO_LARGE), since: keptSince ?? kept.since })
    response = redirect('/')
    newIdentity = moving || keptSince !== null
  }

  let value = await sessions.save(record, loaded, newIdentity, deadline)
  if (!loaded) log('session.created', where)
  else if (regenerate || keptSince !== null) log('session.regenerated', where)
  else if (moving) log('session.moved', where)
  // The cookie lives exactly as long as the server will accept the session, or, not remembered,
  // until the browser closes
  let maxAge = record._forget ? null : Math.ceil((endOf({ renewed: now, since: record._since ?? now, ends: record._ends ?? null }, settings) - now) / 1000)
  let withCookie = setCookie(response, settings, settings.cookie.name, value, maxAge)
  let offer = offerBinding && record._handle && !record._bound ? { path: offerBinding, handle: record._handle } : null
  return clearingLegacy(withStandardHeaders(withBinding(withCookie, request, record._bound ?? null, offer, bindTo !== undefined || refreshBinding === true, now), settings.deployed))
}

/**
 * A bound session's new bound cookie (just bound, or refreshed), living SESSION_BOUND_SECONDS;
 * and, for a session just signed in, the invitation to bind it at `offer.path`, with a challenge
 * for this session alone
 */
function withBinding (response: Response, { settings }: Request, bound: Bound | null, offer: { path: string, handle: string } | null, renew: boolean, now: number): Response {
  let answered = renew && bound ? setCookie(response, settings, boundCookieName(settings), boundValue(settings, bound.id, now + settings.boundSeconds * 1000), settings.boundSeconds) : response
  if (!offer) return answered
  let registration = `(ES256);path="${offer.path}";challenge="${newChallenge(settings, 'register', offer.handle, now)}"`
  return { ...answered, headers: { ...answered.headers, 'secure-session-registration': registration } }
}

/** The bound cookie's name and attributes, as a binding's session configuration names them for the browser */
export function boundCookie (): { name: string, attributes: string } {
  if (!setup.ok) throw new Error(setup.problem)
  let { settings } = setup
  let sameSite = settings.cookie.sameSite[0].toUpperCase() + settings.cookie.sameSite.slice(1)
  return { name: boundCookieName(settings), attributes: `Path=/; HttpOnly; SameSite=${sameSite}${settings.cookie.secure ? '; Secure' : ''}` }
}

/** A challenge for the browser holding this session's key to sign: `register` for the session's handle, `refresh` for its bound id */
export function bindingChallenge (purpose: ChallengePurpose, id: string): string {
  if (!setup.ok) throw new Error(setup.problem)
  return newChallenge(setup.settings, purpose, id, clock.now())
}

/** Whether `challenge` is one `bindingChallenge(purpose, id)` made, and not expired: its expiry (ms since epoch), or why not */
export function checkBindingChallenge (purpose: ChallengePurpose, id: string, challenge: string): { expires: number } | { refused: string } {
  if (!setup.ok) return { refused: setup.problem }
  return checkChallenge(setup.settings, purpose, id, challenge, clock.now())
}

const tooLarge = (record: SessionRecord) => Buffer.byteLength(JSON.stringify(record)) > MAX_RECORD_BYTES

/**
 * Whether a session holding `data`, with `owner`, fits in MAX_RECORD_BYTES. An answer that would
 * not is refused (413) after the handler ran: a handler asks first before a step it cannot take
 * back, such as writing rows of its own.
 */
export function fits (data: object, owner: string | null = null): boolean {
  if (!setup.ok) return false
  let now = clock.now()
  return !tooLarge(recordOf(data, setup.settings, now, { since: now, ends: null, owner, handle: owner === null ? null : newHandle(), forget: true, bound: null }))
}

function answer ({ event, settings }: Request, status: number, message: string): Response {
  let response = wantsJson(event)
    ? json(status, { error: message })
    : html(status, `<!doctype html><title>${status}</title>${ICON}<p>${message}</p><p><a href="/">Back</a></p>`)
  return withStandardHeaders(response, settings.deployed)
}

function cleared (response: Response, { settings, event }: Request, name: string): Response {
  return withStandardHeaders(clearCookie(response, settings, name, event.headers.host), settings.deployed)
}
