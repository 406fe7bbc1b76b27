// Recovery codes: the way back into an account whose passkeys are all lost. Sign-up shows one
// code, once, and the account row keeps only its SHA-256 (`recoveryHash`). POST /recover with
// `{ name, code }` signs in with it, with a new session identity as a passkey sign-in gives: the
// code is spent, and a new one is shown, once. POST /recover/new, after a fresh check (fresh.ts),
// makes a new one and spends the old.
//
// A code is 32 characters of Crockford's base32: 160 random bits, which nobody can guess, so a
// plain SHA-256 is enough (a password needs a slow, salted hash because people choose guessable
// ones). Whoever holds the code holds the account, as whoever holds a passkey does; docs/auth.md
// says what a real app adds (email, support).
import type { APIGatewayProxyEventV2 as Event } from 'aws-lambda'
import { createHash, randomInt, timingSafeEqual } from 'node:crypto'
import { done, type AppData } from '../app.ts'
import { json, readFields, redirect, textField, wantsJson } from '../http.ts'
import { clock } from '../session/clock.ts'
import { fits, type Reply, type Session } from '../session.ts'
import { accountKey, findAccount, replaceRecovery } from './accounts.ts'
import { record } from './activity.ts'
import { BIND_PATH } from './binding.ts'
import { deviceOf } from './device-label.ts'
import { checkFirst, isFresh } from './fresh.ts'
import { countFailure, failureWait, tooMany } from './limits.ts'

type Answer = Promise<Reply<AppData>>
type User = NonNullable<AppData['user']>

// Crockford's base32 leaves out I, L, O and U, so that a code copied by hand is not misread
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
const CHARACTERS = 32 // of 5 bits each: 160 bits

/** A new recovery code, in groups of four for reading: "7K3M-9QXA-…" */
export function newCode (): string {
  let plain = Array.from({ length: CHARACTERS }, () => ALPHABET[randomInt(ALPHABET.length)]).join('')
  return plain.replace(/(.{4})(?=.)/g, '$1-')
}

/** What is stored of a code: the SHA-256 of its characters, read as Crockford reads them (any case; dashes and spaces left out; O is 0, I and L are 1) */
export function hashOf (code: string): string {
  let plain = code.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1')
  return createHash('sha256').update(plain).digest('base64url')
}

const sameHash = (stored: string, given: string) => stored.length === given.length && timingSafeEqual(Buffer.from(stored), Buffer.from(given))

// The same answer for a wrong code and for a name nobody has: the route does not say which names exist
const NO_MATCH = 'That name and recovery code do not match; check both and try again'
const ADD_A_PASSKEY = 'You signed in with your recovery code: add a passkey for this device now, and keep your new code'

/** Who signs in, and the new code to show them: kept for the wrapper's re-run of this request (passkey-answers.ts explains) */
interface Recovered { user: User, remember: boolean, recoveryCode: string }
const recovered = new WeakMap<Event, Recovered>()

/** POST /recover with `{ name, code, remember? }`: signs in, spends the code, and answers `{ …state, recoveryCode }` with the new one */
export async function recover (event: Event, session: Session<AppData>): Answer {
  let known = recovered.get(event)
  if (known) return signedIn(event, session, known)
  let asked = readJson(event)
  if ('refused' in asked) return asked.refused
  let name = textField(asked.fields, 'name', 40)
  let code = textField(asked.fields, 'code', 64)
  if (!name || !code) return deny(event, 400, 'Give your name and your recovery code')
  let remember = Object.hasOwn(asked.fields, 'remember') ? asked.fields.remember : false
  if (typeof remember !== 'boolean') return deny(event, 400, '"remember" must be true or false')
  // A wrong code counts as a failed answer, as a wrong passkey does (limits.ts)
  let wait = await failureWait(event)
  if (wait) return tooMany(event, wait, 'Too many failed answers from your network this hour; try again later')
  let account = await findAccount(accountKey(name))
  if (!account?.recoveryHash || !sameHash(account.recoveryHash, hashOf(code))) {
    await countFailure(event)
    return deny(event, 401, NO_MATCH)
  }
  let user = { name: account.display, account: account.name, since: clock.now(), device: deviceOf(event) }
  // Checked before the code is spent, so that "nothing was changed" stays true
  if (!fits({ ...session.data, user, ceremony: undefined }, account.name)) {
    return deny(event, 413, 'Your session is too full to sign in with (empty the cart first); nothing was changed')
  }
  let recoveryCode = newCode()
  // Only if the code is still the one checked: of two requests with one code, one signs in
  if (!await replaceRecovery(account.name, account.recoveryHash, hashOf(recoveryCode))) {
    await countFailure(event)
    return deny(event, 401, NO_MATCH)
  }
  await record(event, account.name, { type: 'recovered', device: user.device })
  let verdict = { user, remember, recoveryCode }
  recovered.set(event, verdict)
  return signedIn(event, session, verdict)
}

/** A sign-in like a passkey's (passkey-answers.ts `accepted`): a new identity, owned by the account; the others stay signed in */
function signedIn (event: Event, session: Session<AppData>, { user, remember, recoveryCode }: Recovered): Reply<AppData> {
  let reply = done(event, session, { ...session.data, user, ceremony: undefined }, { recoveryCode })
  return { ...reply, regenerate: true, owner: user.account, remember, flash: ADD_A_PASSKEY, offerBinding: BIND_PATH }
}

/** POST /recover/new: `{}`, signed in, after a fresh check; answers `{ recoveryCode }`, and the old code no longer works */
export async function newRecoveryCode (event: Event, session: Session<AppData>): Answer {
  let user = session.data.user
  if (!user) return deny(event, 401, 'Sign in first')
  let asked = readJson(event)
  if ('refused' in asked) return asked.refused
  // Whoever holds a copied cookie must not be able to take the account's way back
  if (!isFresh(user)) return checkFirst(event)
  let recoveryCode = newCode()
  if (!await replaceRecovery(user.account, null, hashOf(recoveryCode))) return deny(event, 409, 'Your account is no longer there')
  await record(event, user.account, { type: 'recovery-code-made', device: user.device })
  return json(200, { recoveryCode })
}

/** The body's fields: the code is shown in the answer, so these routes answer JSON alone */
function readJson (event: Event): { refused: Reply<AppData> } | { fields: Record<string, unknown> } {
  if (!wantsJson(event)) return { refused: deny(event, 400, 'Recovery needs JavaScript: turn it on and try again') }
  let body = readFields(event)
  return body.ok ? { fields: body.fields } : { refused: deny(event, 400, body.error) }
}

/** A refusal: a 4xx with `{ error }`, or a message on the page */
function deny (event: Event, status: number, message: string): Reply<AppData> {
  return wantsJson(event) ? json(status, { error: message }) : { ...redirect('/'), flash: message }
}
