// What this sample app keeps in its session, and the answers its routes share.
import type { APIGatewayProxyEventV2 as Event } from 'aws-lambda'
import * as v from 'valibot'
import { json, redirect, wantsJson } from './http.ts'
import { withSession, type Reply, type Session, type SessionHandler, type SessionOptions } from './session.ts'

// The session's shape, checked on every read. Each field has a default: a new visitor starts from
// them, and a stored field of another shape (an older version of the app wrote it) falls back to
// its own default while the other fields are kept.
export const AppSession = v.object({
  count: v.optional(v.pipe(v.number(), v.safeInteger(), v.minValue(0)), 0),
  user: v.optional(v.nullable(v.object({
    /** As its owner typed it, for display */
    name: v.pipe(v.string(), v.minLength(1)),
    /** The account's key in the `account` table (src/shared/auth/accounts.ts) */
    account: v.pipe(v.string(), v.minLength(1)),
    /** When they signed in (ms since epoch) */
    since: v.number(),
    /** The device they signed in on, from its User-Agent ("Chrome on macOS"), for their list of sessions */
    device: v.optional(v.string(), ''),
    /**
     * Their last passkey check, when it was not the sign-in itself (ms since epoch): what keeps an
     * attacker in needs one within SESSION_FRESH_SECONDS (src/shared/auth/fresh.ts). No default: a
     * session that signed in and checked nothing since stores nothing for it.
     */
    checked: v.optional(v.number()),
    /** The credential id of the passkey they signed in with, so their list can say which one this is */
    passkey: v.optional(v.string()),
  })), null),
  cart: v.optional(v.array(v.string()), []),
  /**
   * A passkey ceremony under way: its challenge is answered once, in this session, within 5
   * minutes. (No default: a session without one stores nothing for it.)
   */
  ceremony: v.optional(v.object({
    /** Sign-up or adding a passkey; sign-in; a signed-in user's fresh check */
    kind: v.picklist([ 'register', 'login', 'verify' ]),
    challenge: v.string(),
    /** When the challenge stops being accepted (ms since epoch) */
    expires: v.number(),
    /** Registering: the account the passkey is for, new or the signed-in one */
    account: v.optional(v.object({ name: v.string(), display: v.string(), userId: v.string(), isNew: v.boolean() })),
    /** "Keep me signed in on this device": the choice made with the options, applied at sign-in */
    remember: v.optional(v.boolean(), false),
  })),
})

export type AppData = v.InferOutput<typeof AppSession>

/** What a device is told, once, when its session was ended from another one */
export const SIGNED_OUT_ELSEWHERE = 'You were signed out from another device; sign in again'

/** The message to show once: the one the previous request left, or why this device is signed out */
export function messageFor (session: Session<AppData>): string | null {
  return session.flash ?? (session.endedElsewhere ? SIGNED_OUT_ELSEWHERE : null)
}

/** The page's state as JSON clients see it */
export function state (session: Session<AppData>) {
  let { count, user, cart } = session.data
  return { mode: session.mode, count, user: user && { name: user.name }, cart, flash: messageFor(session) }
}

/** Bad input: JSON clients get a 400, browsers go back to the page, which shows the message once */
export function badInput (event: Event, message: string): Reply<AppData> {
  return wantsJson(event) ? json(400, { error: message }) : { ...redirect('/'), flash: message }
}

/** A session with nothing in it worth keeping for long (a passkey challenge is short-lived) */
export function isBlank (data: AppData): boolean {
  return data.count === 0 && data.user === null && data.cart.length === 0
}

/**
 * After a change: JSON clients get the new state (and `shown`, what is shown to them once, such
 * as a recovery code), browsers go back to the page (POST/redirect/GET)
 */
export function done (event: Event, session: Session<AppData>, data: AppData, shown: object = {}): Reply<AppData> {
  let response = wantsJson(event) ? json(200, { ...state({ ...session, data, flash: null }), ...shown }) : redirect('/')
  return { ...response, session: data }
}

/**
 * The session wrapper with this app's schema: every route is one of these. A session signed in by
 * a release from before sessions had owners (a user, but no owner) could be neither listed nor
 * ended, and would outlive "sign out everywhere": it is signed out, and the next write stores that.
 */
export function withAppSession (handler: SessionHandler<AppData>, options: SessionOptions = {}) {
  return withSession(AppSession, async (event, session) => {
    if (!session.data.user || session.storage.handle !== null) return handler(event, session)
    let data = { ...session.data, user: null }
    return { session: data, ...await handler(event, { ...session, data }) }
  }, options)
}
