// Device-bound sessions (W3C DBSC): what the wrapper itself does for them. A browser that binds
// a session holds a key pair that never leaves the device; the session then stays usable only
// with a short-lived bound cookie, which that browser refreshes by signing a challenge with the
// key. A thief who copies every cookie has the bound cookie's lifetime at most.
//
// Here: the bound cookie (its name, its value, the check on every request of a bound session),
// and the challenges, which need no storage: each is MAC'd for one session and one purpose, with
// its expiry inside. Using one only once is the app's job (it spends them, as passkey challenges).
// Checking the browser's signed answers (JOSE) is the routes' (src/shared/auth/binding.ts), so
// that the hot routes' bundles carry none of it.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import type { APIGatewayProxyEventV2 as Event } from 'aws-lambda'
import type { Settings } from './config.ts'
import { recent } from './recent.ts'

/** The public half of the key a bound session's browser holds: an EC P-256 key's coordinates (base64url) */
export interface BindingKey {
  x: string
  y: string
}

/** A bound session: the id its browser knows it by (`session_identifier`) and the key it proved it holds */
export interface Bound extends BindingKey {
  id: string
}

/** How long a registration or refresh challenge is answerable */
const CHALLENGE_MS = 5 * 60 * 1000

// One key for every MAC here, derived from the secret: a bound cookie's MAC is never a table-mode
// cookie's signature, nor a challenge's. And the bound cookies found valid: a warm Lambda sees the
// same one on every request of a session until its next refresh, so only the first pays for the
// MAC (bounded, as everything a warm Lambda keeps: the oldest go first, since each value lives
// SESSION_BOUND_SECONDS whatever its use). Keyed by the value, holding the session id it is for.
interface Keyed {
  key: Buffer
  verified: ReturnType<typeof recent<string, string>>
}
const keyed = new WeakMap<Settings, Keyed>()
function keyedBy (settings: Settings): Keyed {
  let found = keyed.get(settings)
  if (!found) {
    found = { key: createHmac('sha256', settings.secret).update('device-bound sessions').digest(), verified: recent(VERIFIED_KEPT) }
    keyed.set(settings, found)
  }
  return found
}
const VERIFIED_KEPT = 1000
const mac = (settings: Settings, text: string) => createHmac('sha256', keyedBy(settings).key).update(text).digest('base64url')
const same = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b))

/** The bound cookie's name: `__Host-bound` once deployed (only this host can set it), `_bound` locally */
export const boundCookieName = (settings: Settings) => settings.deployed ? '__Host-bound' : '_bound'

/** The bound cookie's value for session `id` until `expires` (ms since epoch): the expiry and a MAC of both */
export function boundValue (settings: Settings, id: string, expires: number): string {
  return `${expires}.${mac(settings, `bound|${id}|${expires}`)}`
}

/** Whether the request carries a bound cookie for session `id` that has not expired at `now` */
export function hasBoundCookie (event: Event, settings: Settings, id: string, now: number): boolean {
  let name = `${boundCookieName(settings)}=`
  // A plain loop, on every request of a bound session: no arrays made for the cookies it skips
  for (let pair of event.cookies ?? (event.headers.cookie ?? '').split(';')) {
    let trimmed = pair.trim()
    if (trimmed.startsWith(name) && isLiveBoundValue(settings, id, trimmed.slice(name.length), now)) return true
  }
  return false
}

function isLiveBoundValue (settings: Settings, id: string, value: string, now: number): boolean {
  let dot = value.indexOf('.')
  let expires = value.slice(0, dot)
  if (dot !== 13 || !/^\d{13}$/.test(expires) || Number(expires) <= now) return false
  let { verified } = keyedBy(settings)
  if (verified.get(value) === id) return true
  let valid = same(value.slice(dot + 1), mac(settings, `bound|${id}|${expires}`))
  if (valid) verified.set(value, id)
  return valid
}

export type ChallengePurpose = 'register' | 'refresh'

/** A challenge for `purpose` of session `id`: its expiry, 96 random bits, and a MAC of all of them */
export function newChallenge (settings: Settings, purpose: ChallengePurpose, id: string, now: number): string {
  let body = `${now + CHALLENGE_MS}.${randomBytes(12).toString('base64url')}`
  return `${body}.${mac(settings, `${purpose}|${id}|${body}`)}`
}

/** Whether `challenge` is one this app made for `purpose` of session `id`, and still answerable: its expiry, or why not */
export function checkChallenge (settings: Settings, purpose: ChallengePurpose, id: string, challenge: string, now: number): { expires: number } | { refused: string } {
  let [ expires, nonce, tag, ...rest ] = challenge.split('.')
  if (rest.length || !/^\d{13}$/.test(expires) || nonce === undefined || tag === undefined || !same(tag, mac(settings, `${purpose}|${id}|${expires}.${nonce}`))) {
    return { refused: 'not this session\'s challenge' }
  }
  return Number(expires) < now ? { refused: 'challenge expired' } : { expires: Number(expires) }
}
