// Cookie mode: the whole session is sealed into the `_idx` cookie, nothing is kept on the server.
// The format is exactly Architect's `jwe` provider (JWE, `dir` + A256GCM, keyed by the first
// 32 characters of the secret), so plain `arc.http.session.read` opens what we write.
import jwt from 'node-webtokens'
import type { Settings } from './config.ts'
import type { SessionStore } from './store.ts'

const ALG = 'dir'
const ENC = 'A256GCM'

function keyOf (secret: string): string {
  return Buffer.from(secret.slice(0, 32)).toString('base64')
}

export function cookieStore (settings: Settings): SessionStore {
  let current = keyOf(settings.secret)
  let previous = settings.previousSecret ? keyOf(settings.previousSecret) : null

  function open (token: string, key: string) {
    // With `dir`, the JWE's second segment (the encrypted key) must be empty (RFC 7516, 4.1.1).
    // node-webtokens ignores it; we refuse it, so a session has exactly one valid cookie string.
    if (token.split('.')[1] !== '') return null
    // Only ever accept our own algorithm: node-webtokens would also verify a JWS
    let parsed = jwt.parse(token).setAlgorithmList(ALG, ENC).verify(key)
    if (!parsed.valid || !parsed.payload) return null
    let { iat, _renewed, ...record } = parsed.payload
    // A cookie plain arc.http() wrote has no `_renewed`: its issue time (seconds) is the same thing,
    // so an app that adopts this wrapper keeps its visitors' sessions
    let renewed = typeof _renewed === 'number' ? _renewed : typeof iat === 'number' ? iat * 1000 : null
    return renewed === null ? null : { ...record, _renewed: renewed }
  }

  return {
    async load (cookieValue) {
      let record = open(cookieValue, current)
      if (record) return { record, id: null, version: 0, oldSecret: false }
      record = previous ? open(cookieValue, previous) : null
      return record ? { record, id: null, version: 0, oldSecret: true } : null
    },
    async save (record) {
      return jwt.generate(ALG, ENC, record, current)
    },
    async remove () {
      // Nothing to delete: a copied cookie stays valid until it expires (see README)
    },
  }
}
