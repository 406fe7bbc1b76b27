// The contract both session modes meet. The wrapper in ../session.ts only ever talks to this,
// so handlers never know (or branch on) which mode they run in.

/** Bookkeeping the wrapper keeps next to the app's data. App keys must not start with `_`. */
export interface StoredMeta {
  /** When the session was last written or renewed (ms since epoch); drives idle expiry */
  _renewed: number
  /** When the session began or the visitor last signed in (ms since epoch); drives the absolute lifetime */
  _since?: number
  /** A message shown once, on the next request */
  _flash?: string
  /** Written for a `__Host-idx` cookie (deployed stages), so it must never arrive as `_idx` */
  _host?: true
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
}

export interface SessionStore {
  /** The session behind a cookie value, or null for a missing, forged or expired one */
  load (cookieValue: string): Promise<Loaded | null>
  /** Stores the record and returns the new cookie value. Throws ConflictError if `previous` changed meanwhile. */
  save (record: SessionRecord, previous: Loaded | null, newIdentity: boolean): Promise<string>
  /** Forgets the session for good (table mode); cookie mode has nothing on the server to forget */
  remove (previous: Loaded): Promise<void>
}

/** Another request wrote the same session between our read and our write */
export class ConflictError extends Error {}
