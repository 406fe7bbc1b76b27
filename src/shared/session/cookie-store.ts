// Cookie mode: the whole session is sealed into the cookie, nothing is kept on the server.
// The format is exactly Architect's `jwe` provider: a compact JWE, `dir` + A256GCM, keyed by the
// first 32 characters of the secret, whose JSON payload carries `iat`. So plain
// `arc.http.session.read` opens what we write, and we open what it wrote.
//
// Reading is strict, because the cookie is the attacker's to choose. Architect's reader
// (node-webtokens) accepts an authentication tag cut down to 4 bytes, a filled-in key segment and
// other algorithms; jose refuses those, and before any crypto we check that every part has the
// one shape we write. Then no one without the key can turn a cookie into a second valid string.
import { webcrypto } from 'node:crypto'
import { CompactEncrypt, compactDecrypt } from 'jose'
import type { Settings } from './config.ts'
import { isPlainObject, withoutPrototypeKeys } from './data.ts'
import type { Loaded, SessionRecord, SessionStore } from './store.ts'

const HEADER = { alg: 'dir', enc: 'A256GCM' }
const ALLOWED = { keyManagementAlgorithms: [ 'dir' ], contentEncryptionAlgorithms: [ 'A256GCM' ] }
// A256GCM's 96-bit IV and 128-bit tag, as base64url characters
const IV_CHARS = 16
const TAG_CHARS = 22

type CryptoKey = webcrypto.CryptoKey

// The key is the secret's first 32 characters as bytes (config.ts requires them to be ASCII)
function keyOf (secret: string): Promise<CryptoKey> {
  let bytes = Buffer.from(secret.slice(0, 32))
  return webcrypto.subtle.importKey('raw', bytes, 'AES-GCM', false, [ 'encrypt', 'decrypt' ])
}

// One encoding per byte string: Node would also decode variants with other trailing bits
function isCanonicalBase64url (text: string): boolean {
  return /^[\w-]*$/.test(text) && Buffer.from(text, 'base64url').toString('base64url') === text
}

/** True when the token has the one shape we write: checked before any decryption */
function hasOurShape (token: string): boolean {
  let parts = token.split('.')
  if (parts.length !== 5 || !parts.every(isCanonicalBase64url)) return false
  let [ header, encryptedKey, iv, , tag ] = parts
  // `dir` means no encrypted key (RFC 7516, 4.1.1); a shorter tag would be easier to forge
  if (encryptedKey !== '' || iv.length !== IV_CHARS || tag.length !== TAG_CHARS) return false
  try {
    let fields: unknown = JSON.parse(Buffer.from(header, 'base64url').toString())
    // Only `alg` and `enc`, with our values: no `zip`, no `crit`, no other algorithm
    return isPlainObject(fields) && Object.keys(fields).length === 2 &&
      fields.alg === HEADER.alg && fields.enc === HEADER.enc
  }
  catch {
    return false
  }
}

/** The record sealed in `token`, or null. Never throws: whatever is wrong with it means "no session". */
async function open (token: string, key: CryptoKey): Promise<SessionRecord | null> {
  if (!hasOurShape(token)) return null
  try {
    let { plaintext } = await compactDecrypt(token, key, ALLOWED)
    let payload: unknown = JSON.parse(Buffer.from(plaintext).toString(), withoutPrototypeKeys)
    if (!isPlainObject(payload)) return null
    let { iat, _renewed, ...fields } = payload
    // A cookie plain arc.http() wrote has no `_renewed`: its issue time (seconds) is the same thing,
    // so an app that adopts this wrapper keeps its visitors' sessions
    let renewed = typeof _renewed === 'number' ? _renewed : typeof iat === 'number' ? iat * 1000 : null
    return renewed === null ? null : { ...fields, _renewed: renewed }
  }
  catch {
    return null
  }
}

export function cookieStore (settings: Settings): SessionStore {
  let current = keyOf(settings.secret)
  let previous = settings.previousSecret ? keyOf(settings.previousSecret) : null

  return {
    async load (cookieValue): Promise<Loaded | null> {
      let record = await open(cookieValue, await current)
      if (record) return { record, id: null, version: 0, oldSecret: false, expired: false }
      record = previous ? await open(cookieValue, await previous) : null
      return record ? { record, id: null, version: 0, oldSecret: true, expired: false } : null
    },
    async save (record) {
      // `iat` (seconds) is what Architect's reader checks its one-week lifetime against
      let payload = JSON.stringify({ ...record, iat: Math.floor(record._renewed / 1000) })
      return new CompactEncrypt(Buffer.from(payload)).setProtectedHeader(HEADER).encrypt(await current)
    },
    async remove () {
      // Nothing to delete: a copied cookie stays valid until it expires (see README)
    },
  }
}
