// Sign-up, sign-in and a signed-in user's fresh check with a passkey (WebAuthn), as session
// handlers: each ceremony asks for options (a challenge, kept in the session) here, then checks
// the browser's answer to it in passkey-answers.ts.
//
// The session is where the challenge belongs: it is bound to the visitor who asked, it is used
// once (it is gone after the first answer, right or wrong), it expires after CEREMONY_SECONDS,
// and a sign-in, which gives the session a new identity, never carries it over.
//
// The options are plain JSON in WebAuthn's shape (PublicKeyCredentialCreationOptionsJSON and
// PublicKeyCredentialRequestOptionsJSON), made here as @simplewebauthn/server would make them
// from the same inputs. Its generate functions would bring its whole verification code into
// these three routes: their bundles are a tenth of the size, and their cold starts 100 ms
// shorter (docs/performance.md). Only the types come from the library.
import type { APIGatewayProxyEventV2 as Event } from 'aws-lambda'
import type { PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server'
import { isBlank, type AppData } from '../app.ts'
import { json, readFields, redirect, textField, wantsJson } from '../http.ts'
import { clock } from '../session/clock.ts'
import { type Reply, type Session } from '../session.ts'
import { StoreError } from '../session/store.ts'
import { accountKey, findAccount, passkeysOf } from './accounts.ts'
import { checkFirst, isFresh } from './fresh.ts'
import { signUpWait, tooMany } from './limits.ts'
import { RP_NAME, relyingParty } from './relying-party.ts'

/** How long a challenge is accepted, and how long a session holding nothing else lives */
export const CEREMONY_SECONDS = 300

// An account's key (the name, normalised) in UTF-8 bytes at most: 40 characters of any script fit
const NAME_KEY_BYTES = 160

// A browser's answer is a few kilobytes at most ("none" attestation carries no certificates)
const PASSKEY_BODY_BYTES = 16 * 1024

// Ed25519, ES256 and RS256: what authenticators make. Offered in the options and required by the
// check (passkey-answers.ts), so an authenticator is never offered one the check would refuse.
export const ALGORITHMS = [ -8, -7, -257 ]

export type Ceremony = NonNullable<AppData['ceremony']>
export type User = NonNullable<AppData['user']>
export type Answer = Promise<Reply<AppData>>

/** POST /passkeys/register/options: `{ name }` to sign up, or `{}` when signed in, to add a passkey */
export async function registrationOptions (event: Event, session: Session<AppData>): Answer {
  let fields = readAnswer(event)
  if (typeof fields === 'string') return refuse(event, session, 400, fields)
  let remember = rememberOf(fields)
  if (remember === null) return refuse(event, session, 400, REMEMBER_ERROR)
  let user = session.data.user
  let account: Ceremony['account']
  let exclude: { id: string, transports: string[] }[] = []
  if (Object.hasOwn(fields, 'name')) {
    let display = textField(fields, 'name', 40)
    if (!display) return refuse(event, session, 400, 'Your name must be 1 to 40 printable characters')
    // Normalising can make one character many (U+FDFA is 18 letters): the key must stay a key
    if (Buffer.byteLength(accountKey(display)) > NAME_KEY_BYTES) return refuse(event, session, 400, 'Your name is too long once its characters are spelled out; choose a shorter one')
    let wait = await signUpWait(event)
    if (wait) return tooMany(event, wait, 'Too many sign-ups from your network this hour; try again later')
    // Checked here to spare making a passkey for a name that is taken; registering enforces it
    if (await findAccount(accountKey(display))) return refuse(event, session, 409, 'That name is taken; choose another')
    let userId = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64url')
    account = { name: accountKey(display), display, userId, isNew: true }
  }
  else if (user) {
    // A passkey of the attacker's own would keep them in after every sign-out
    if (!isFresh(user)) return checkFirst(event)
    let found = await findAccount(user.account)
    if (!found) return refuse(event, session, 409, 'Your account is no longer there; sign up again')
    account = { name: found.name, display: found.display, userId: found.userId, isNew: false }
    // So that an authenticator already holding one of this account's passkeys is not asked again
    exclude = (await passkeysOf(found.name)).map(passkey => ({ id: passkey.id, transports: passkey.transports }))
  }
  else return refuse(event, session, 400, 'Give the name to sign up with')

  let options = creationOptions(relyingParty(event).rpID, account, exclude)
  return begin(session, { kind: 'register', challenge: options.challenge, expires: clock.now() + CEREMONY_SECONDS * 1000, account, remember }, options)
}

/** POST /passkeys/login/options: `{}`; no allowCredentials, so the browser offers the visitor's own passkeys */
export async function loginOptions (event: Event, session: Session<AppData>): Answer {
  let fields = readAnswer(event)
  if (typeof fields === 'string') return refuse(event, session, 400, fields)
  let remember = rememberOf(fields)
  if (remember === null) return refuse(event, session, 400, REMEMBER_ERROR)
  let options = requestOptions(relyingParty(event).rpID)
  return begin(session, { kind: 'login', challenge: options.challenge, expires: clock.now() + CEREMONY_SECONDS * 1000, remember }, options)
}

/**
 * POST /passkeys/verify/options: `{}`, signed in; the start of a fresh check (fresh.ts). No
 * allowCredentials, as at sign-in: the browser offers the passkeys it holds for this site, and
 * the answer must be by one of this account's.
 */
export async function verifyOptions (event: Event, session: Session<AppData>): Answer {
  let fields = readAnswer(event)
  if (typeof fields === 'string') return refuse(event, session, 400, fields)
  if (!session.data.user) return refuse(event, session, 401, 'Sign in first')
  let options = requestOptions(relyingParty(event).rpID)
  return begin(session, { kind: 'verify', challenge: options.challenge, expires: clock.now() + CEREMONY_SECONDS * 1000, remember: false }, options)
}

/** Options to make a passkey for this account, which none of `exclude` may be */
export function creationOptions (rpID: string, account: { userId: string, display: string }, exclude: { id: string, transports: string[] }[]): PublicKeyCredentialCreationOptionsJSON {
  return {
    challenge: newChallenge(),
    rp: { name: RP_NAME, id: rpID },
    user: { id: account.userId, name: account.display, displayName: account.display },
    pubKeyCredParams: ALGORITHMS.map(alg => ({ alg, type: 'public-key' })),
    timeout: CEREMONY_SECONDS * 1000,
    attestation: 'none',
    excludeCredentials: exclude.map(passkey => ({ ...passkey, type: 'public-key' })),
    // A discoverable credential ("resident key"): sign-in then needs no typed name, because the
    // authenticator offers the passkeys it holds for this site
    authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification: 'required' },
    // So that the browser says whether it made a discoverable credential
    extensions: { credProps: true },
    hints: [],
  }
}

/** Options to answer with a passkey of the browser's choice: sign-in and the fresh check */
export function requestOptions (rpID: string): PublicKeyCredentialRequestOptionsJSON {
  return { rpId: rpID, challenge: newChallenge(), timeout: CEREMONY_SECONDS * 1000, userVerification: 'required' }
}

/** 32 random bytes, as the library makes a challenge (WebAuthn asks for at least 16) */
function newChallenge (): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url')
}

/** The body of a passkey route, or what is wrong with it */
export function readAnswer (event: Event): Record<string, unknown> | string {
  // The page's forms reach these routes only when its script does not run
  if (!wantsJson(event)) return 'Passkeys need JavaScript: turn it on and try again'
  let body = readFields(event, PASSKEY_BODY_BYTES)
  return body.ok ? body.fields : body.error
}

/** Options for the browser, with the ceremony kept in the session */
function begin (session: Session<AppData>, ceremony: Ceremony, options: object): Reply<AppData> {
  let data = { ...session.data, ceremony }
  // A visitor with nothing else in the session gets one that ends with the challenge
  return { ...json(200, options), session: data, ...(isBlank(data) ? { endsIn: CEREMONY_SECONDS } : {}) }
}

/**
 * A refusal: a 4xx with `{ error }` (and `more`) for JSON, a message on the page otherwise. It never changes
 * who is signed in, and it spends the ceremony (a challenge is answered once, right or wrong).
 */
export function refuse (event: Event, session: Session<AppData>, status: number, message: string, reason?: string, more: object = {}): Reply<AppData> {
  if (reason) logAuth(event, session, 'passkey.refused', reason)
  let reply = wantsJson(event) ? json(status, { error: message, ...more }) : { ...redirect('/'), flash: message }
  if (!session.data.ceremony) return reply
  let data = { ...session.data, ceremony: undefined }
  return { ...reply, session: data, ...(isBlank(data) ? { endsIn: CEREMONY_SECONDS } : {}) }
}

const REMEMBER_ERROR = '"remember" must be true or false'

/** The "keep me signed in" choice: false unless asked; null when it is not a boolean */
function rememberOf (fields: Record<string, unknown>): boolean | null {
  let value = Object.hasOwn(fields, 'remember') ? fields.remember : false
  return typeof value === 'boolean' ? value : null
}

/**
 * One JSON line per passkey event, like the session wrapper's. It holds the event and a reason
 * of our own words: never a name, a credential id, a public key or a challenge.
 */
export function logAuth (event: Event, session: Session<AppData>, name: 'passkey.registered' | 'passkey.signed_in' | 'passkey.refused', reason?: string): void {
  let level = name === 'passkey.refused' ? 'warn' : 'info'
  let line = JSON.stringify({ level, event: name, requestId: event.requestContext.requestId || 'local', route: event.routeKey, mode: session.mode, reason })
  if (level === 'warn') console.warn(line)
  else console.log(line)
}

/** Runs a passkey handler; when the accounts tables fail, the visitor gets a 503 to retry, not a 500 */
export function orUnavailable (handler: (event: Event, session: Session<AppData>) => Answer) {
  return async (event: Event, session: Session<AppData>): Answer => {
    try {
      return await handler(event, session)
    }
    catch (err) {
      if (!(err instanceof StoreError)) throw err
      let reply = json(503, { error: 'Sign-in is unavailable right now; try again shortly' })
      return { ...reply, headers: { ...reply.headers, 'retry-after': '2' } }
    }
  }
}
