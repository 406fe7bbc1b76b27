// Seals JWEs by hand with node:crypto, so tests can make the tokens no library would: another
// header, a tag cut short, a filled-in key segment. With the defaults it makes exactly what
// Architect's `jwe` provider makes (dir + A256GCM, keyed by the secret's first 32 characters).
import { createCipheriv, randomBytes } from 'node:crypto'

export interface SealOptions {
  /** The protected header, as an object or as raw JSON text */
  header?: object | string
  /** Bytes of the GCM tag to keep (16 is the whole tag) */
  tagBytes?: number
  /** The second segment, which `dir` leaves empty */
  encryptedKey?: string
}

const b64u = (bytes: Buffer | string) => Buffer.from(bytes).toString('base64url')

export function seal (payload: unknown, secret: string, options: SealOptions = {}): string {
  let { header = { alg: 'dir', enc: 'A256GCM' }, tagBytes = 16, encryptedKey = '' } = options
  let protectedHeader = b64u(typeof header === 'string' ? header : JSON.stringify(header))
  let iv = randomBytes(12)
  let cipher = createCipheriv('aes-256-gcm', Buffer.from(secret.slice(0, 32)), iv)
  // The protected header, as ASCII base64url, is the additional authenticated data (RFC 7516, 5.1)
  cipher.setAAD(Buffer.from(protectedHeader))
  let ciphertext = Buffer.concat([ cipher.update(JSON.stringify(payload)), cipher.final() ])
  let tag = cipher.getAuthTag().subarray(0, tagBytes)
  return [ protectedHeader, encryptedKey, b64u(iv), b64u(ciphertext), b64u(tag) ].join('.')
}

/** A session the way this app or Architect seals it: `_renewed` and `iat` set to now */
export function sealSession (data: object, secret: string, now = Date.now()): string {
  return seal({ ...data, _renewed: now, iat: Math.floor(now / 1000) }, secret)
}
