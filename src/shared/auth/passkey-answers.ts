// The answers of the passkey ceremonies (passkeys.ts asks the questions): sign-up, sign-in and a
// signed-in user's fresh check. Each answer spends its challenge first, right or wrong.
//
// @simplewebauthn/server does the cryptography and the checks of the answer (origin, RP ID,
// challenge, type, user verification, signature, counter). It is the well-kept library for this,
// MIT-licensed, and only the three answer routes bundle it: it brings @peculiar/asn1-* and
// @peculiar/x509 for attestation certificates, 480 KB that cost each cold start about 100 ms.
// docs/auth.md has the threat model.
import type { APIGatewayProxyEventV2 as Event } from 'aws-lambda'
import {
  verifyAuthenticationResponse, verifyRegistrationResponse, type AuthenticationResponseJSON, type RegistrationResponseJSON,
} from '@simplewebauthn/server'
import * as v from 'valibot'
import { done, type AppData } from '../app.ts'
import { clock } from '../session/clock.ts'
import { fits, type Reply, type Session } from '../session.ts'
import { addPasskey, createAccount, dropPasskey, findAccount, findPasskey, recordUse } from './accounts.ts'
import { passkeyLabel, record } from './activity.ts'
import { BIND_PATH } from './binding.ts'
import { deviceOf } from './device-label.ts'
import { spend } from './challenges.ts'
import { hashOf, newCode } from './recovery.ts'
import { countFailure, failureWait, tooMany } from './limits.ts'
import { ALGORITHMS, logAuth, readAnswer, refuse, type Answer, type Ceremony, type User } from './passkeys.ts'
import { relyingParty } from './relying-party.ts'

// The browser's answers, checked for shape before the library sees them. WebAuthn allows
// credential ids up to 1023 bytes: 1364 characters of base64url.
const base64url = (max: number) => v.pipe(v.string(), v.regex(/^[\w-]+$/), v.maxLength(max))
const CredentialId = base64url(1364)
const TRANSPORTS = new Set<string>([ 'ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb' ])
const RegistrationAnswer = v.object({
  id: CredentialId,
  rawId: CredentialId,
  type: v.literal('public-key'),
  response: v.object({
    clientDataJSON: base64url(4096),
    attestationObject: base64url(12_000),
    transports: v.optional(v.array(v.pipe(v.string(), v.maxLength(20))), []),
  }),
})
const AuthenticationAnswer = v.object({
  id: CredentialId,
  rawId: CredentialId,
  type: v.literal('public-key'),
  response: v.object({
    clientDataJSON: base64url(4096),
    authenticatorData: base64url(4096),
    signature: base64url(1024),
    userHandle: v.optional(base64url(88)),
  }),
})

const bytesOf = (text: string) => new Uint8Array(Buffer.from(text, 'base64url'))

/** POST /passkeys/register: the browser's RegistrationResponseJSON; signs in a new account */
export const register = limitedAnswers(checkRegistration)

async function checkRegistration (event: Event, session: Session<AppData>): Answer {
  let known = verdicts.get(event)
  if (known) return accepted(event, session, known)
  let checked = await answerTo(event, session, 'register')
  if ('refused' in checked) return checked.refused
  let { ceremony, fields } = checked
  let answer = v.safeParse(RegistrationAnswer, fields)
  let account = ceremony.account
  if (!answer.success || !account) return refuse(event, session, 400, 'That is not a passkey registration')
  let response: RegistrationResponseJSON = {
    ...answer.output,
    response: { ...answer.output.response, transports: answer.output.response.transports.filter(isTransport) },
    clientExtensionResults: {},
  }
  let { origin, rpID } = relyingParty(event)
  let verified
  try {
    verified = await verifyRegistrationResponse({
      response, expectedChallenge: ceremony.challenge, expectedOrigin: origin, expectedRPID: rpID,
      requireUserVerification: true, supportedAlgorithmIDs: ALGORITHMS,
    })
  }
  catch {
    // The library's message can quote the challenge or the origin: it stays out of the log
    return refuse(event, session, 401, 'That passkey could not be verified; try again', 'registration failed verification')
  }
  if (!verified.verified) return refuse(event, session, 401, 'That passkey could not be verified; try again', 'registration failed verification')
  // Adding to the signed-in account: it must still be theirs (the ceremony is the session's, but
  // they could have signed out and in as someone else in between, in another tab)
  if (!account.isNew && session.data.user?.account !== account.name) return refuse(event, session, 409, 'You are no longer signed in to that account')

  let { credential, credentialBackedUp } = verified.registrationInfo
  let now = clock.now()
  let user = { name: account.display, account: account.name, since: now, device: deviceOf(event), passkey: credential.id }
  // Checked before any row is written, so that "nothing was changed" stays true
  if (account.isNew && !fits({ ...session.data, user, ceremony: undefined }, account.name)) {
    return refuse(event, session, 413, 'Your session is too full to sign in with (empty the cart first); nothing was changed')
  }
  let passkey = {
    id: credential.id, account: account.name, userId: account.userId,
    publicKey: Buffer.from(credential.publicKey).toString('base64url'), counter: credential.counter,
    transports: response.response.transports ?? [], created: now, lastUsed: null,
    name: user.device, backedUp: credentialBackedUp,
  }
  if (!await addPasskey(passkey)) return refuse(event, session, 409, 'That passkey is registered already', 'credential id already stored')
  // The passkey first, then the account: a name is never taken by an account without a passkey.
  // Should the account not be made, the passkey is removed (and would open nothing anyway: its
  // user handle is no other account's).
  // A new account's recovery code (recovery.ts) is shown in this answer, once; only its hash is kept
  let recoveryCode = newCode()
  if (account.isNew && !await createAccount({ name: account.name, display: account.display, userId: account.userId, created: now, recoveryHash: hashOf(recoveryCode) })) {
    await dropPasskey(passkey.id)
    return refuse(event, session, 409, 'That name is taken; choose another')
  }
  logAuth(event, session, 'passkey.registered')
  await record(event, account.name, account.isNew
    ? { type: 'signed-up', device: user.device, passkey: passkeyLabel(passkey.id) }
    : { type: 'passkey-added', device: user.device, passkey: passkeyLabel(passkey.id), handle: session.storage.handle ?? undefined })
  let verdict = { user: account.isNew ? user : null, remember: ceremony.remember, recoveryCode: account.isNew ? recoveryCode : undefined }
  verdicts.set(event, verdict)
  return accepted(event, session, verdict)
}

/** POST /passkeys/login: the browser's AuthenticationResponseJSON; signs in */
export const login = limitedAnswers(checkSignIn)

async function checkSignIn (event: Event, session: Session<AppData>): Answer {
  let known = verdicts.get(event)
  if (known) return accepted(event, session, known)
  let checked = await answerTo(event, session, 'login')
  if ('refused' in checked) return checked.refused
  let { ceremony, fields } = checked
  let answer = v.safeParse(AuthenticationAnswer, fields)
  if (!answer.success) return refuse(event, session, 400, 'That is not a passkey sign-in')
  let response: AuthenticationResponseJSON = { ...answer.output, clientExtensionResults: {} }
  // Named in the answer, so the page can tell the browser (signalUnknownCredential) to stop offering it
  let unknown = () => refuse(event, session, 401, 'That passkey is not registered here', 'unknown credential', { unknownCredential: response.id })
  let passkey = await findPasskey(response.id)
  if (!passkey) return unknown()
  // The account, and the user handle the authenticator keeps with the passkey, must both agree
  // with what was registered: a passkey left over from a sign-up that failed opens nothing
  let account = await findAccount(passkey.account)
  let handle = response.response.userHandle
  if (!account || account.userId !== passkey.userId || (handle !== undefined && handle !== passkey.userId)) return unknown()

  let { origin, rpID } = relyingParty(event)
  let verified
  try {
    verified = await verifyAuthenticationResponse({
      response, expectedChallenge: ceremony.challenge, expectedOrigin: origin, expectedRPID: rpID, requireUserVerification: true,
      credential: { id: passkey.id, publicKey: bytesOf(passkey.publicKey), counter: passkey.counter, transports: passkey.transports },
    })
  }
  catch (err) {
    // A counter that did not go up means the passkey may have been cloned: worth an alert.
    // (Matched on the library's message, which names no secret; its other messages can.)
    let cloned = err instanceof Error && err.message.startsWith('Response counter value')
    if (cloned) await record(event, passkey.account, { type: 'counter-went-back', device: deviceOf(event), passkey: passkeyLabel(passkey.id) })
    return refuse(event, session, 401, 'That passkey could not be verified; try again', cloned ? 'counter did not go up' : 'sign-in failed verification')
  }
  if (!verified.verified) return refuse(event, session, 401, 'That passkey could not be verified; try again', 'sign-in failed verification')
  let now = clock.now()
  if (!await recordUse(passkey, verified.authenticationInfo.newCounter, now)) {
    return refuse(event, session, 409, 'That passkey was used in another sign-in at the same moment; try again', 'counter raced')
  }
  logAuth(event, session, 'passkey.signed_in')
  let user = { name: account.display, account: account.name, since: now, device: deviceOf(event), passkey: passkey.id }
  await record(event, account.name, { type: 'signed-in', device: user.device, passkey: passkeyLabel(passkey.id) })
  let verdict = { user, remember: ceremony.remember }
  verdicts.set(event, verdict)
  return accepted(event, session, verdict)
}

/**
 * An answer route, limited per address (limits.ts): past AUTH_FAILURES_PER_HOUR failed answers
 * in the hour, a 429 before any other call; each answer refused as wrong (400, 401, or 403 for
 * another account's passkey) counts one.
 * A conflict (409) or a full session (413) is no guess, so it does not count.
 */
function limitedAnswers (check: (event: Event, session: Session<AppData>) => Answer) {
  return async (event: Event, session: Session<AppData>): Answer => {
    // A re-run (see `verdicts`) was limited and counted on its first run
    if (limited.has(event)) return check(event, session)
    limited.add(event)
    let wait = await failureWait(event)
    if (wait) return tooMany(event, wait, 'Too many failed passkey answers from your network this hour; try again later')
    let reply = await check(event, session)
    if (reply.statusCode === 400 || reply.statusCode === 401 || reply.statusCode === 403) await countFailure(event)
    return reply
  }
}
// The requests limited already
const limited = new WeakSet<Event>()

/** POST /passkeys/verify: an AuthenticationResponseJSON by one of this account's passkeys; records the check, and keeps the session as it is */
export const verify = limitedAnswers(checkIdentity)

async function checkIdentity (event: Event, session: Session<AppData>): Answer {
  let user = session.data.user
  let known = checks.get(event)
  if (user && known) return done(event, session, { ...session.data, user: { ...user, checked: known }, ceremony: undefined })
  if (!user) return refuse(event, session, 401, 'Sign in first')
  let checked = await answerTo(event, session, 'verify')
  if ('refused' in checked) return checked.refused
  let answer = v.safeParse(AuthenticationAnswer, checked.fields)
  if (!answer.success) return refuse(event, session, 400, 'That is not a passkey check')
  let response: AuthenticationResponseJSON = { ...answer.output, clientExtensionResults: {} }
  let passkey = await findPasskey(response.id)
  let handle = response.response.userHandle
  // Another account's passkey proves nothing about this one
  if (!passkey || passkey.account !== user.account || (handle !== undefined && handle !== passkey.userId)) {
    return refuse(event, session, 403, 'That passkey is not one of this account\'s', 'passkey of another account')
  }
  let { origin, rpID } = relyingParty(event)
  let verified
  try {
    verified = await verifyAuthenticationResponse({
      response, expectedChallenge: checked.ceremony.challenge, expectedOrigin: origin, expectedRPID: rpID, requireUserVerification: true,
      credential: { id: passkey.id, publicKey: bytesOf(passkey.publicKey), counter: passkey.counter, transports: passkey.transports },
    })
  }
  catch {
    return refuse(event, session, 401, 'That passkey could not be verified; try again', 'check failed verification')
  }
  if (!verified.verified) return refuse(event, session, 401, 'That passkey could not be verified; try again', 'check failed verification')
  let now = clock.now()
  if (!await recordUse(passkey, verified.authenticationInfo.newCounter, now)) {
    return refuse(event, session, 409, 'That passkey was used somewhere else at the same moment; try again', 'counter raced')
  }
  checks.set(event, now)
  // The same identity, data and owner: only the time of the last check changes
  return done(event, session, { ...session.data, user: { ...user, checked: now }, ceremony: undefined })
}
// A check that passed, for the wrapper's re-run of this request (see `verdicts`)
const checks = new WeakMap<Event, number>()

/** The ceremony an answer is for, taken out of the session and spent: whatever happens next, it is used */
async function answerTo (event: Event, session: Session<AppData>, kind: Ceremony['kind']): Promise<{ refused: Reply<AppData> } | { ceremony: Ceremony, fields: Record<string, unknown> }> {
  let fields = readAnswer(event)
  if (typeof fields === 'string') return { refused: refuse(event, session, 400, fields) }
  let ceremony = session.data.ceremony
  if (!ceremony || ceremony.kind !== kind) return { refused: refuse(event, session, 400, 'Start again: this session has no passkey request to answer', 'no challenge') }
  if (clock.now() > ceremony.expires) return { refused: refuse(event, session, 400, 'That took too long; start again', 'challenge expired') }
  // A copy of this session's cookie, sent again, still holds the challenge: the server says whether it was answered
  if (!await spend(ceremony.challenge, ceremony.expires)) return { refused: refuse(event, session, 400, 'That passkey request was answered already; start again', 'challenge reused') }
  return { ceremony, fields }
}

// The wrapper runs a handler again when its write lost a race with another request on the same
// session (table mode: a count sent while the sign-in was under way). By then the answer's
// challenge is spent and its counter moved, so checking it again would refuse it: the first run's
// verdict stands for the rest of this request (kept by its event, so it goes with the request)
interface Verdict {
  /** Who signs in; null when a signed-in visitor added a passkey */
  user: User | null
  remember: boolean
  /** A new account's recovery code, shown in the answer */
  recoveryCode?: string
}
const verdicts = new WeakMap<Event, Verdict>()

/** The answer to a passkey that was checked and stored: signed in, or the passkey added */
function accepted (event: Event, session: Session<AppData>, { user, remember, recoveryCode }: Verdict): Reply<AppData> {
  if (!user) return done(event, session, { ...session.data, ceremony: undefined })
  // regenerate: a session id (or cookie) an attacker planted before sign-in becomes worthless.
  // The count and the cart stay; the spent ceremony does not. The session belongs to the account
  // (so the account can list and end its sessions), and its cookie is kept when the browser
  // closes only if the visitor asked.
  let signedIn = done(event, session, { ...session.data, user, ceremony: undefined }, recoveryCode ? { recoveryCode } : {})
  return { ...signedIn, regenerate: true, owner: user.account, remember, offerBinding: BIND_PATH }
}

function isTransport (name: string): boolean {
  return TRANSPORTS.has(name)
}
