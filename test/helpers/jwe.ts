// Seals JWEs by hand with node:crypto, so tests can make the tokens no library would: another
// header, a tag cut short, a filled-in key segment. With the defaults it makes exactly what
// Architect's `jwe` provider makes (dir + A256GCM, keyed by the secret's first 32 characters).
import { createCipheriv, randomBytes } from 'node:crypto'

export interface SealOptions {
  /** The content encryption, keyed by the secret's first 16, 24 or 32 characters */
  enc?: 'A128GCM' | 'A192GCM' | 'A256GCM'
  /** The protected header, as an object or as raw JSON text */
  header?: object | string
  /** Bytes of the GCM tag to keep (16 is the whole tag) */
  tagBytes?: number
  /** The second segment, which `dir` leaves empty */
  encryptedKey?: string
  /** Bytes of IV (GCM's is 12) */
  ivBytes?: number
  /** Sealed instead of the payload's JSON: text that need not be JSON at all */
  plaintext?: string
}

const b64u = (bytes: Buffer | string) => Buffer.from(bytes).toString('base64url')

export function seal (payload: unknown, secret: string, options: SealOptions = {}): string {
  let { enc = 'A256GCM', header = { alg: 'dir', enc }, tagBytes = 16, encryptedKey = '', ivBytes = 12 } = options
  let [ keyChars, algorithm ] = ({ A128GCM: [ 16, 'aes-128-gcm' ], A192GCM: [ 24, 'aes-192-gcm' ], A256GCM: [ 32, 'aes-256-gcm' ] } as const)[enc]
  let protectedHeader = b64u(typeof header === 'string' ? header : JSON.stringify(header))
  let iv = randomBytes(ivBytes)
  let cipher = createCipheriv(algorithm, Buffer.from(secret.slice(0, keyChars)), iv)
  // The protected header, as ASCII base64url, is the additional authenticated data (RFC 7516, 5.1)
  cipher.setAAD(Buffer.from(protectedHeader))
  let ciphertext = Buffer.concat([ cipher.update(options.plaintext ?? JSON.stringify(payload)), cipher.final() ])
  let tag = cipher.getAuthTag().subarray(0, tagBytes)
  return [ protectedHeader, encryptedKey, b64u(iv), b64u(ciphertext), b64u(tag) ].join('.')
}

/** A session the way this app or Architect seals it: `_renewed` and `iat` set to now */
export function sealSession (data: object, secret: string, now = Date.now()): string {
  return seal({ ...data, _renewed: now, iat: Math.floor(now / 1000) }, secret)
}
