// The contract both session modes meet. The wrapper in ../session.ts only ever talks to this,
// so handlers never know (or branch on) which mode they run in.
import { clock } from './clock.ts'
import type { Bound } from './binding.ts'
import type { Settings } from './config.ts'

/** What `load` finds where a session was ended from another device, so the wrapper can say so */
export const ENDED = 'ended'

/** Bookkeeping the wrapper keeps next to the app's data. App keys must not start with `_`. */
export interface StoredMeta {
  /** When the session was last written or renewed (ms since epoch); drives idle expiry */
  _renewed: number
  /** When the session began or the visitor last signed in (ms since epoch); drives the absolute lifetime */
  _since?: number
  /** A message shown once, on the next request */
  _flash?: string
  /** Written for a deployed stage's cookie (`__Host-idx` or `__Secure-idx`), so it must never arrive as `_idx` */
  _host?: true
  /** The app and stage that wrote it (`app/stage`): it opens nowhere else */
  _aud?: string
  /** When the session ends sooner than its limits, as the app asked (`Reply.endsIn`), ms since epoch */
  _ends?: number
  /** Who the session belongs to (`Reply.owner`), so it can be listed and ended with the owner's others */
  _owner?: string
  /** A random name for an owned session, to list and end it by: never its cookie or row id */
  _handle?: string
  /** A browser-session cookie (`Reply.remember: false`): no Max-Age, on this answer and every later one */
  _forget?: true
  /** Bound to a device (`Reply.bindTo`): its id and the public key its browser holds (binding.ts) */
  _bound?: Bound
}

/** The session a request keeps while it ends its owner's others */
export interface Kept {
  handle: string | null
  /** When it began or was last signed in to (ms since epoch) */
  since: number
}

/** What is stored: the app's fields, flat, plus StoredMeta (the shape plain arc.http.session reads) */
export type SessionRecord = Record<string, unknown> & StoredMeta

export interface Loaded {
  record: SessionRecord
  /** Table mode: the row's `_idx` and its write counter, for conditional writes */
  id: string | null
  version: number
  /** True when the cookie was made with ARC_APP_SECRET_PREVIOUS, so it must be re-issued */
  oldSecret: boolean
  /** Table mode: the row is past its `_ttl`, which DynamoDB's sweep honours days late */
  expired: boolean
}

/**
 * Every method takes the request's deadline (a `performance.now()` time): a store that does I/O
 * must give up by then, so the visitor gets an answer before Lambda's timeout.
 */
export interface SessionStore {
  /**
   * The session behind a cookie value; ENDED for one its owner ended from another device (table
   * mode: its row is a marker of that); null for a missing, forged or unreadable one
   */
  load (cookieValue: string, deadline: number): Promise<Loaded | typeof ENDED | null>
  /** Stores the record and returns the new cookie value. Throws ConflictError if `previous` changed meanwhile. */
  save (record: SessionRecord, previous: Loaded | null, newIdentity: boolean, deadline: number): Promise<string>
  /** Forgets the session for good (table mode); cookie mode has nothing on the server to forget */
  remove (previous: Loaded, deadline: number): Promise<void>
  /** The owner's stored sessions (table mode), or null: cookie mode keeps no list */
  listOwned (owner: string, deadline: number): Promise<SessionRecord[] | null>
  /** Ends one of an owner's sessions by its handle (table mode), and says whether there was one; cookie mode cannot, and throws */
  endOne (owner: string, handle: string, deadline: number): Promise<boolean>
  /**
   * Ends every session of `owner` but `kept`, the one this request came with, from their next
   * request on, and says when the kept one counts as signed in from now (ms since epoch): cookie
   * mode ends sessions by that time, so a later "sign out everywhere" still ends the kept one.
   * Throws SessionEndedError when `kept` itself had ended, which cookie mode checks afresh here.
   */
  endOthers (owner: string, kept: Kept, deadline: number): Promise<number>
  /** When the owner last ended all their sessions (ms since epoch; 0 for never, and in table mode, which marks their rows instead) */
  signedOutBefore (owner: string, deadline: number): Promise<number>
}

/** The times a session's end is counted from (ms since epoch) */
export interface Lifetime {
  /** When it was last written */
  renewed: number
  /** When it began or the visitor last signed in */
  since: number
  /** When the app asked it to end, if it did */
  ends: number | null
}

/**
 * When a session ends (ms since epoch): at its idle limit, at its absolute lifetime, or when the
 * app asked it to end, whichever comes first
 */
export function endOf ({ renewed, since, ends }: Lifetime, settings: Settings): number {
  return Math.min(renewed + settings.idleSeconds * 1000, since + settings.absoluteSeconds * 1000, ends ?? Infinity)
}

/** Whether a session is still live: expiry is enforced on every read, whatever the cookie or the table still holds */
export function isLive (lifetime: Lifetime, settings: Settings): boolean {
  return clock.now() <= endOf(lifetime, settings)
}

/** A failure the store describes in its own words: the message is safe to log (no key, no data) */
export class StoreError extends Error {
  name = 'StoreError'
}

/** Another request wrote the same session between our read and our write */
export class ConflictError extends StoreError {
  // Stryker disable next-line StringLiteral: a conflict is retried, never logged by its name
  name = 'ConflictError'
}

/** The request's time budget ran out before the store answered */
export class DeadlineError extends StoreError {
  name = 'DeadlineError'
}

/** The store kept refusing for lack of capacity (DynamoDB throttling), even after retries */
export class ThrottledError extends StoreError {
  name = 'ThrottledError'
}

/**
 * The session a request came with was ended elsewhere after this request read it: a warm Lambda
 * trusted an older "signed out before" time (cookie mode). The visitor is signed out.
 */
export class SessionEndedError extends Error {
  name = 'SessionEndedError'
}
