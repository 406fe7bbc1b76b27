// Cookie mode: the whole session is sealed into the cookie, nothing is kept on the server.
// The format is exactly Architect's `jwe` provider: a compact JWE (RFC 7516), `dir` + AES-GCM
// (A256GCM unless ARC_APP_SECRET_ALGO says otherwise), keyed by the secret's first 32 (or 16, 24)
// characters, whose JSON payload carries `iat`. So plain `arc.http.session.read` opens what we
// write, and we open what it wrote.
//
// Reading is strict, because the cookie is the attacker's to choose. Architect's reader
// (node-webtokens) accepts an authentication tag cut down to 4 bytes, a filled-in key segment and
// other algorithms. Before any crypto we check that every part has the one shape we write; then
// Node's AES-GCM, told to expect the full 16-byte tag, decides. No one without the key can turn a
// cookie into a second valid string. jose, the reference JOSE library, checks this reader in the
// tests (test/unit/jwe-oracle.test.ts): it must agree with it on every token.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { KEY_CHARS, type Algorithm, type Settings } from './config.ts'
import { parseRecord } from './data.ts'
import type { Loaded, SessionRecord, SessionStore } from './store.ts'
import type { revocations } from './revocations.ts'

// GCM's 96-bit IV and its full 128-bit tag
const IV_BYTES = 12
const TAG_BYTES = 16

// Node's name for each algorithm
const CIPHER = { A128GCM: 'aes-128-gcm', A192GCM: 'aes-192-gcm', A256GCM: 'aes-256-gcm' } as const

export interface Key {
  bytes: Buffer
  cipher: typeof CIPHER[Algorithm]
  /** The protected header we write, base64url: `{"alg":"dir","enc":"A256GCM"}` */
  header: string
  /** Its bytes, the additional authenticated data of every token */
  aad: Buffer
}

// The key is the secret's first 16, 24 or 32 characters as bytes (config.ts requires ASCII)
export function keyOf (secret: string, enc: Algorithm): Key {
  let header = Buffer.from(JSON.stringify({ alg: 'dir', enc })).toString('base64url')
  return { bytes: Buffer.from(secret.slice(0, KEY_CHARS[enc])), cipher: CIPHER[enc], header, aad: Buffer.from(header) }
}

interface Parts {
  /** The protected header as sent: it is authenticated as it stands */
  header: string
  iv: Buffer
  ciphertext: Buffer
  tag: Buffer
}

// One spelling per byte string: Node would also decode variants with other trailing bits, or
// with padding, so a segment counts only if it encodes back to itself
function decoded (segment: string): Buffer | null {
  let bytes = Buffer.from(segment, 'base64url')
  return bytes.toString('base64url') === segment ? bytes : null
}

/** The token's parts, decoded, if it has the one shape we write; checked before any decryption */
export function partsOf (token: string, key: Key): Parts | null {
  let segments = token.split('.')
  // Our header letter for letter (Architect's reader writes the same): no other algorithm, no
  // `zip`, no `crit`, and no second spelling of the same fields
  if (segments.length !== 5 || segments[0] !== key.header) return null
  let [ header, ...rest ] = segments
  let [ encryptedKey, iv, ciphertext, tag ] = rest.map(decoded)
  // `dir` means no encrypted key (RFC 7516, 4.1.1); GCM's IV is 12 bytes. The tag's length is
  // checked by Node itself (authTagLength, below)
  if (encryptedKey?.length !== 0 || !iv || !ciphertext || !tag || iv.length !== IV_BYTES) return null
  return { header, iv, ciphertext, tag }
}

/** Seals `plaintext` as a compact JWE; the protected header is the additional authenticated data */
export function encrypt (plaintext: Buffer, key: Key): string {
  let iv = randomBytes(IV_BYTES)
  let cipher = createCipheriv(key.cipher, key.bytes, iv) // GCM's tag is 16 bytes unless told otherwise
  cipher.setAAD(key.aad)
  let ciphertext = Buffer.concat([ cipher.update(plaintext), cipher.final() ])
  let b64u = (bytes: Buffer) => bytes.toString('base64url')
  return [ key.header, '', b64u(iv), b64u(ciphertext), b64u(cipher.getAuthTag()) ].join('.')
}

/** The plaintext sealed in `token`, or null for anything we did not seal with this key */
export function decrypt (token: string, key: Key): Buffer | null {
  let parts = partsOf(token, key)
  if (!parts) return null
  // The full 16-byte tag, nothing shorter: a 4-byte tag (which Node accepts by default, and so
  // Architect's reader) is forged in about 2^32 tries
  let decipher = createDecipheriv(key.cipher, key.bytes, parts.iv, { authTagLength: TAG_BYTES })
  decipher.setAAD(key.aad) // the header sent, which partsOf checked is ours letter for letter
  try {
    decipher.setAuthTag(parts.tag) // throws for a tag of another length
    let plaintext = decipher.update(parts.ciphertext)
    decipher.final() // throws for a tag that does not match (GCM's final block adds no bytes)
    return plaintext
  }
  catch {
    return null // forged, tampered, or sealed with another key
  }
}

/** The record sealed in `token`, or null. Never throws: whatever is wrong with it means "no session". */
function open (token: string, key: Key): SessionRecord | null {
  let plaintext = decrypt(token, key)
  if (!plaintext) return null
  let payload = parseRecord(plaintext.toString())
  if (!payload) return null
  let { iat, _renewed, ...fields } = payload
  // A cookie plain arc.http() wrote has no `_renewed`: its issue time (seconds) is the same thing,
  // so an app that adopts this wrapper keeps its visitors' sessions
  let renewed = typeof _renewed === 'number' ? _renewed : typeof iat === 'number' ? iat * 1000 : null
  return renewed === null ? null : { ...fields, _renewed: renewed }
}

/** Cookie mode finds an ended session by its owner's time, in the wrapper: its `load` never answers ENDED */
type CookieStore = Omit<SessionStore, 'load'> & { load (cookieValue: string, deadline: number): Promise<Loaded | null> }

export function cookieStore (settings: Settings): CookieStore {
  let current = keyOf(settings.secret, settings.algorithm)
  let previous = settings.previousSecret ? keyOf(settings.previousSecret, settings.algorithm) : null
  // Loaded on first use, by a session with an owner: anonymous visitors never load the DynamoDB client
  let revoked: ReturnType<typeof revocations> | null = null
  async function signedOut () {
    revoked ??= (await import('./revocations.ts')).revocations(settings)
    return revoked
  }

  return {
    async load (cookieValue): Promise<Loaded | null> {
      let record = open(cookieValue, current)
      if (record) return { record, id: null, version: 0, oldSecret: false, expired: false }
      record = previous && open(cookieValue, previous)
      return record ? { record, id: null, version: 0, oldSecret: true, expired: false } : null
    },
    async save (record) {
      // `iat` (seconds) is what Architect's reader checks its one-week lifetime against
      let payload = JSON.stringify({ ...record, iat: Math.floor(record._renewed / 1000) })
      return encrypt(Buffer.from(payload), current)
    },
    async remove () {
      // Nothing to delete: a copied cookie stays valid until it expires (see README)
    },
    async listOwned () {
      return null // the sessions are in the browsers that hold them
    },
    async endOne () {
      throw new TypeError('cookie mode cannot end one session alone: it can only end all of them signed in until now')
    },
    async endOthers (owner, kept, deadline) {
      return (await signedOut()).endOthers(owner, kept.since, deadline)
    },
    async signedOutBefore (owner, deadline) {
      return (await signedOut()).signedOutBefore(owner, deadline)
    },
  }

}
