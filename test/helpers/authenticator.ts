// A software passkey authenticator for the tests: what a phone or a security key does, in a few
// lines of node:crypto. It makes ES256 (P-256) credentials with "none" attestation, always
// verifies the user, and answers the JSON options our routes send with the JSON a browser's
// `credential.toJSON()` gives. Each answer can be bent (another origin, RP ID, type, counter...),
// so the tests can show the server refusing it.
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto'

type Cbor = number | string | Uint8Array | Map<Cbor, Cbor>

/** CBOR (RFC 8949), only what WebAuthn's structures use: integers, byte and text strings, maps */
export function cbor (value: Cbor): Buffer {
  let head = (major: number, n: number) => {
    if (n < 24) return Buffer.from([ major << 5 | n ])
    if (n < 256) return Buffer.from([ major << 5 | 24, n ])
    if (n < 65536) return Buffer.from([ major << 5 | 25, n >> 8, n & 255 ])
    let long = Buffer.alloc(5)
    long[0] = major << 5 | 26
    long.writeUInt32BE(n, 1)
    return long
  }
  if (typeof value === 'number') return value >= 0 ? head(0, value) : head(1, -1 - value)
  if (typeof value === 'string') return Buffer.concat([ head(3, Buffer.byteLength(value)), Buffer.from(value) ])
  if (value instanceof Uint8Array) return Buffer.concat([ head(2, value.length), value ])
  return Buffer.concat([ head(5, value.size), ...[ ...value ].flatMap(([ key, item ]) => [ cbor(key), cbor(item) ]) ])
}

const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest()
const b64 = (data: Uint8Array | string) => Buffer.from(data).toString('base64url')
const uint32 = (n: number) => {
  let bytes = Buffer.alloc(4)
  bytes.writeUInt32BE(n)
  return bytes
}

// WebAuthn's authenticator data flags: user present, user verified, credential data included
const UP = 0x01
const UV = 0x04
// Backup eligible and backed up: what a synced passkey (iCloud Keychain, Google Password Manager) reports
const BE = 0x08
const BS = 0x10
const AT = 0x40

interface Credential {
  id: string
  /** The COSE public key, base64url: what the server stores */
  publicKey: string
  privateKey: KeyObject
  userHandle: string
  counter: number
}

/** What a test may change in one answer, to see it refused */
export interface Bend {
  origin?: string
  rpId?: string
  type?: string
  challenge?: string
  /** The signature counter to report (a credential counts up by 1 otherwise) */
  counter?: number
  /** create: make the credential under this id (someone else's); get: send this id */
  id?: string
}

export interface CreationOptions {
  challenge: string
  rp: { id?: string }
  user: { id: string }
}

export interface RequestOptions {
  challenge: string
  rpId?: string
}

export interface Authenticator {
  /** Makes a credential: the RegistrationResponseJSON to POST to /passkeys/register */
  create (options: CreationOptions, bend?: Bend): Record<string, unknown>
  /** Signs in with the credential it made last (or `credentialId`): the AuthenticationResponseJSON */
  get (options: RequestOptions, bend?: Bend & { credentialId?: string }): Record<string, unknown>
  /** The credentials it holds, newest last */
  credentials: Credential[]
}

/**
 * A software authenticator for `origin` (the page the "browser" is on). `synced`: report a
 * counter of 0 forever, as synced passkeys (iCloud, Google Password Manager) do.
 */
export function authenticator (origin: string, { synced = false } = {}): Authenticator {
  let credentials: Credential[] = []
  let clientData = (type: string, challenge: string, bend: Bend) => Buffer.from(JSON.stringify({
    type: bend.type ?? type, challenge: bend.challenge ?? challenge, origin: bend.origin ?? origin, crossOrigin: false,
  }))

  return {
    credentials,
    create (options, bend = {}) {
      let { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      let jwk = publicKey.export({ format: 'jwk' })
      // The COSE key: kty EC2 (2), alg ES256 (-7), crv P-256 (1), x, y
      let cose = cbor(new Map<Cbor, Cbor>([ [ 1, 2 ], [ 3, -7 ], [ -1, 1 ], [ -2, Buffer.from(String(jwk.x), 'base64url') ], [ -3, Buffer.from(String(jwk.y), 'base64url') ] ]))
      let rawId = bend.id ? Buffer.from(bend.id, 'base64url') : randomBytes(32)
      let counter = synced ? 0 : (bend.counter ?? 0)
      let rpId = bend.rpId ?? options.rp.id ?? new URL(origin).hostname
      let idLength = Buffer.from([ rawId.length >> 8, rawId.length & 255 ])
      let authData = Buffer.concat([ sha256(rpId), Buffer.from([ UP | UV | AT | (synced ? BE | BS : 0) ]), uint32(counter), Buffer.alloc(16), idLength, rawId, cose ])
      let attestationObject = cbor(new Map<Cbor, Cbor>([ [ 'fmt', 'none' ], [ 'attStmt', new Map() ], [ 'authData', authData ] ]))
      let id = b64(rawId)
      credentials.push({ id, publicKey: b64(cose), privateKey, userHandle: options.user.id, counter })
      return {
        id, rawId: id, type: 'public-key',
        response: { clientDataJSON: b64(clientData('webauthn.create', options.challenge, bend)), attestationObject: b64(attestationObject), transports: [ 'internal' ] },
        clientExtensionResults: {}, authenticatorAttachment: 'platform',
      }
    },
    get (options, bend = {}) {
      let credential = credentials.find(c => c.id === bend.credentialId) ?? credentials.at(-1)
      if (!credential) throw new Error('this authenticator holds no credential yet')
      if (!synced) credential.counter = bend.counter ?? credential.counter + 1
      let rpId = bend.rpId ?? options.rpId ?? new URL(origin).hostname
      let authData = Buffer.concat([ sha256(rpId), Buffer.from([ UP | UV | (synced ? BE | BS : 0) ]), uint32(synced ? 0 : credential.counter) ])
      let data = clientData('webauthn.get', options.challenge, bend)
      let signature = sign('sha256', Buffer.concat([ authData, sha256(data) ]), credential.privateKey)
      let id = bend.id ?? credential.id
      return {
        id, rawId: id, type: 'public-key',
        response: { clientDataJSON: b64(data), authenticatorData: b64(authData), signature: b64(signature), userHandle: credential.userHandle },
        clientExtensionResults: {}, authenticatorAttachment: 'platform',
      }
    },
  }
}
