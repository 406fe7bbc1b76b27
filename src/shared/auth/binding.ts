// Device-bound sessions (W3C DBSC): the two routes a binding browser calls. The answer that signs
// a session in invites the browser to bind it (`Reply.offerBinding`); the wrapper does the rest on
// every request (session/binding.ts).
// - POST /sessions/bind: the browser proves it holds a new key, by signing the invitation's
//   challenge; the session is bound to that key, and gets its bound cookie.
// - POST /sessions/bind/refresh: the bound cookie has run out; asked without an answer, a 403 with
//   a challenge; with the challenge signed by the session's key, a new bound cookie.
//
// Each proof is a JWT typed `dbsc+jwt`, signed with ES256, whose `jti` is the challenge. It is
// checked here with node:crypto (a JWT of one algorithm is a few lines; a JOSE library would be
// the bundle's biggest part), and only these two routes bundle it.
import type { APIGatewayProxyEventV2 as Event } from 'aws-lambda'
import { createPublicKey, verify } from 'node:crypto'
import type { AppData } from '../app.ts'
import { json } from '../http.ts'
import { bindingChallenge, boundCookie, checkBindingChallenge, type BindingKey, type Reply, type Session } from '../session.ts'
import { spend } from './challenges.ts'

type Answer = Promise<Reply<AppData>>

/** Where the browser registers a binding, and refreshes it (app.arc) */
export const BIND_PATH = '/sessions/bind'
const REFRESH_PATH = '/sessions/bind/refresh'

/** A proof as sent: its header, its payload's challenge, and what the signature covers */
interface Proof {
  header: Record<string, unknown>
  challenge: string
  signed: Buffer
  signature: Buffer
}

const parts = /^([\w-]{1,2048})\.([\w-]{1,2048})\.([\w-]{86})$/
function objectOf (segment: string): Record<string, unknown> | null {
  try {
    let value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString())
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value as Record<string, unknown> : null
  }
  catch {
    return null
  }
}

/** The request's `Secure-Session-Response`, if it is a `dbsc+jwt` signed with ES256 (never `none`, never another algorithm), or what is wrong with it */
function proofOf (event: Event): Proof | string {
  let token = event.headers['secure-session-response']
  if (token === undefined) return 'no Secure-Session-Response'
  let found = parts.exec(token)
  let header = found && objectOf(found[1])
  let payload = found && objectOf(found[2])
  if (!found || !header || !payload) return 'Secure-Session-Response is not a JWT'
  if (header.typ !== 'dbsc+jwt' || header.alg !== 'ES256') return 'the JWT must be typed dbsc+jwt and signed with ES256'
  if (typeof payload.jti !== 'string') return 'the JWT carries no challenge (jti)'
  return { header, challenge: payload.jti, signed: Buffer.from(`${found[1]}.${found[2]}`), signature: Buffer.from(found[3], 'base64url') }
}

const coordinate = (value: unknown): value is string => typeof value === 'string' && /^[\w-]{43}$/.test(value)

/** The EC P-256 public key a registration's header carries as `jwk`, or null */
function keyOf ({ jwk }: Record<string, unknown>): BindingKey | null {
  if (typeof jwk !== 'object' || jwk === null) return null
  let { kty, crv, x, y } = jwk as Record<string, unknown>
  return kty === 'EC' && crv === 'P-256' && coordinate(x) && coordinate(y) ? { x, y } : null
}

/** Whether `proof` is signed by `key` (a point not on the curve is no key) */
function signedBy (key: BindingKey, proof: Proof): boolean {
  try {
    let publicKey = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: key.x, y: key.y }, format: 'jwk' })
    return verify('sha256', proof.signed, { key: publicKey, dsaEncoding: 'ieee-p1363' }, proof.signature)
  }
  catch {
    return false
  }
}

/** The session configuration of the draft, for the session the browser knows as `id` */
function configOf (id: string) {
  let { name, attributes } = boundCookie()
  return { session_identifier: id, refresh_url: REFRESH_PATH, scope: { include_site: false }, credentials: [ { type: 'cookie', name, attributes } ] }
}

/** A 4xx with `{ error }`: the session is left as it was, signed in and as bound as it was */
const refuse = (status: number, error: string): Reply<AppData> => json(status, { error })

/** Checks the proof's challenge (this session's, for this purpose, not expired) and spends it: each is answered once, right or wrong */
async function spent (purpose: 'register' | 'refresh', id: string, proof: Proof): Promise<string | null> {
  let challenge = checkBindingChallenge(purpose, id, proof.challenge)
  if ('refused' in challenge) return `That is ${challenge.refused === 'challenge expired' ? 'an expired challenge' : 'not this session\'s challenge'}`
  return await spend(proof.challenge, challenge.expires) ? null : 'That challenge was answered already'
}

/** POST /sessions/bind, with `Secure-Session-Response`: binds a signed-in session to the key that signed its invitation */
export async function bind (event: Event, session: Session<AppData>): Answer {
  let { handle, bound } = session.storage
  if (!session.data.user || handle === null) return refuse(401, 'Only a signed-in session can be bound to a device')
  if (bound) return refuse(409, 'This session is bound to a device already')
  let proof = proofOf(event)
  if (typeof proof === 'string') return refuse(400, proof)
  let key = keyOf(proof.header)
  if (!key) return refuse(400, 'The JWT header must carry the EC P-256 public key as jwk')
  let problem = await spent('register', handle, proof)
  if (problem) return refuse(400, problem)
  if (!signedBy(key, proof)) return refuse(401, 'The JWT is not signed by the key it carries')
  return { ...json(200, configOf(handle)), bindTo: key }
}

/** POST /sessions/bind/refresh, with `Sec-Secure-Session-Id`: a challenge (403), or, with it signed by the session's key, a new bound cookie */
export async function refresh (event: Event, session: Session<AppData>): Answer {
  let { bound } = session.storage
  // Signed out, ended, or signed in again since: the browser should stop refreshing it (the draft's `continue: false`)
  if (!bound || event.headers['sec-secure-session-id'] !== bound.id) return json(200, { continue: false })
  let next = { 'secure-session-challenge': `"${bindingChallenge('refresh', bound.id)}";id="${bound.id}"` }
  let proof = proofOf(event)
  if (proof === 'no Secure-Session-Response') {
    let challenged = refuse(403, 'Sign the challenge with this session\'s key')
    return { ...challenged, headers: { ...challenged.headers, ...next } }
  }
  if (typeof proof === 'string') return refuse(400, proof)
  let problem = await spent('refresh', bound.id, proof)
  if (problem) return refuse(400, problem)
  if (!signedBy(bound, proof)) return refuse(401, 'The JWT is not signed by this session\'s key')
  // With the next refresh's challenge already, so the browser never signs one twice
  let refreshed = json(200, configOf(bound.id))
  return { ...refreshed, headers: { ...refreshed.headers, ...next }, refreshBinding: true }
}
