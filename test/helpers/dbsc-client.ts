// A software DBSC client, from the W3C draft: a device key pair (ES256, node:crypto) and the JWTs a
// browser sends to bind a session and to refresh it, with ways to bend them for the tests.
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto'

export interface Bend {
  /** The header's `alg` and `typ` (ES256 and dbsc+jwt by default); `alg: 'none'` sends no signature */
  alg?: string
  typ?: string
  /** Sign with this client's key but carry another's in the header */
  carry?: DbscClient
}

export interface DbscClient {
  /** The JWT for `Secure-Session-Response` when binding: the public key as `jwk` in the header */
  register (challenge: string, bend?: Bend): string
  /** The JWT for a refresh: no key in the header */
  refresh (challenge: string, bend?: Bend): string
  jwk: { kty: string, crv: string, x: string, y: string }
}

const b64u = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')

export function dbscClient (): DbscClient {
  let { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  let { kty = '', crv = '', x = '', y = '' } = publicKey.export({ format: 'jwk' })
  let jwk = { kty, crv, x, y }
  let jwt = (header: object, challenge: string, key: KeyObject, alg: string) => {
    let signed = `${b64u(header)}.${b64u({ jti: challenge })}`
    if (alg === 'none') return `${signed}.`
    return `${signed}.${sign('sha256', Buffer.from(signed), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`
  }
  return {
    jwk,
    register: (challenge, { alg = 'ES256', typ = 'dbsc+jwt', carry } = {}) => jwt({ alg, typ, jwk: carry?.jwk ?? jwk }, challenge, privateKey, alg),
    refresh: (challenge, { alg = 'ES256', typ = 'dbsc+jwt' } = {}) => jwt({ alg, typ }, challenge, privateKey, alg),
  }
}

/** The challenge (and the path) of a `Secure-Session-Registration` header, or null */
export function registrationOf (header: string | null): { path: string, challenge: string } | null {
  let found = /^\(ES256\);path="([^"]+)";challenge="([^"]+)"$/.exec(header ?? '')
  return found ? { path: found[1], challenge: found[2] } : null
}

/** The challenge and session id of a `Secure-Session-Challenge` header, or null */
export function challengeOf (header: string | null): { challenge: string, id: string } | null {
  let found = /^"([^"]+)";id="([^"]+)"$/.exec(header ?? '')
  return found ? { challenge: found[1], id: found[2] } : null
}
