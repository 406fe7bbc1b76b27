// jose, the reference JOSE library, as the oracle for the wrapper's own AES-GCM reader: on every
// token, valid, bent or sealed with another key, the two must agree on accepting or refusing it
// and on what it holds. The one exception allowed: a token our stricter shape rules refuse before
// any crypto (a non-canonical segment, a filled-in key segment, a header with more fields), which
// jose may open. Both sides are restricted to `dir` and the algorithm configured. Seeded:
// FUZZ_SEED=n reruns a failure exactly.
import test from 'tape'
import fc from 'fast-check'
import jwt from 'node-webtokens'
import { CompactEncrypt, compactDecrypt } from 'jose'
import type { Algorithm } from '../../src/shared/session/config.ts'
import { decrypt, encrypt, keyOf, partsOf } from '../../src/shared/session/cookie-store.ts'
import { seal } from '../helpers/jwe.ts'
import { mutations } from '../helpers/mutations.ts'
import { randomSecret } from '../helpers/secrets.ts'

// FUZZ_RUNS lowers the count where speed matters more than depth (npm run test:mutation)
const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000)
const seed = Number(process.env.FUZZ_SEED ?? 20261127)
const SECRET = randomSecret()
const OTHER = randomSecret()
// (No claims that Architect's reader would check against the clock: exp, nbf, iat)
const PAYLOAD = fc.dictionary(fc.string().filter(name => ![ 'exp', 'nbf', 'iat' ].includes(name)), fc.jsonValue(), { maxKeys: 6 }).map(fields => Buffer.from(JSON.stringify(fields)))

/** What jose makes of a token: its plaintext, or null where it refuses it */
async function joseOpens (token: string, keyBytes: Buffer, enc: Algorithm): Promise<Buffer | null> {
  try {
    let { plaintext } = await compactDecrypt(token, keyBytes, { keyManagementAlgorithms: [ 'dir' ], contentEncryptionAlgorithms: [ enc ] })
    return Buffer.from(plaintext)
  }
  catch {
    return null
  }
}

async function holds<T> (t: test.Test, name: string, property: fc.IAsyncProperty<[T]>) {
  try {
    await fc.assert(property, { seed, numRuns: RUNS })
    t.pass(`${name}: ${RUNS} cases (seed ${seed})`)
  }
  catch (err) {
    t.fail(`${name}: failed with seed ${seed} (rerun: FUZZ_SEED=${seed} npm run test:unit)\n${String(err)}`)
  }
}

for (let enc of [ 'A256GCM', 'A192GCM', 'A128GCM' ] as const) {
  let key = keyOf(SECRET, enc)

  test(`${enc}: on every token, valid, bent or foreign, our reader and jose agree, but where our shape rules refuse first`, async t => {
    let valid = [ 1, 2, 3 ].map(n => encrypt(Buffer.from(JSON.stringify({ count: n, _renewed: Date.now() })), key))
    // A header jose would take but we refuse: more fields, another order, spaces
    let headers = fc.constantFrom({ alg: 'dir', enc }, { enc, alg: 'dir' }, { alg: 'dir', enc, kid: 'k' }, { alg: 'dir', enc, zip: 'DEF' }, `{ "alg": "dir", "enc": "${enc}" }`, { alg: 'dir', enc: 'A256GCM' })
    let sealedOtherwise = fc.tuple(PAYLOAD, headers, fc.boolean()).map(([ payload, header, foreign ]) => seal(JSON.parse(payload.toString()), foreign ? OTHER : SECRET, { enc, header }))
    let tokens = fc.oneof(fc.constantFrom(...valid), mutations(valid, '.'), sealedOtherwise)
    let counts = { bothOpen: 0, bothRefuse: 0, ourShapeRefuses: 0 }
    await holds(t, 'agreement', fc.asyncProperty(tokens, async token => {
      let ours = decrypt(token, key)
      let theirs = await joseOpens(token, key.bytes, enc)
      if (ours) {
        counts.bothOpen++
        return theirs !== null && theirs.equals(ours)
      }
      if (!theirs) {
        counts.bothRefuse++
        return true
      }
      // jose opens what we refuse: allowed only where our shape rules refused before any crypto
      counts.ourShapeRefuses++
      return partsOf(token, key) === null
    }))
    t.ok(counts.bothOpen > RUNS / 100 && counts.bothRefuse > RUNS / 100 && counts.ourShapeRefuses > RUNS / 100, `and every outcome was met: ${JSON.stringify(counts)}`)
  })

  test(`${enc}: every token we write, jose and Architect's reader (node-webtokens) open, and every token jose writes with our header, we open`, async t => {
    let architectKey = Buffer.from(SECRET.slice(0, { A128GCM: 16, A192GCM: 24, A256GCM: 32 }[enc])).toString('base64')
    // What the cookie store seals carries `iat`, which Architect's reader requires
    let withIat = PAYLOAD.map(payload => Buffer.from(JSON.stringify({ ...JSON.parse(payload.toString()) as object, iat: Math.floor(Date.now() / 1000) })))
    await holds(t, 'ours → jose and node-webtokens', fc.asyncProperty(withIat, async payload => {
      let token = encrypt(payload, key)
      let theirs = await joseOpens(token, key.bytes, enc)
      // Exactly the call arc.http.session.read makes
      let architect = jwt.parse(token).setTokenLifetime(604800).verify(architectKey)
      return theirs !== null && theirs.equals(payload) && architect.valid === true && JSON.stringify(architect.payload) === payload.toString()
    }))
    await holds(t, 'jose → ours', fc.asyncProperty(PAYLOAD, async payload => {
      let token = await new CompactEncrypt(payload).setProtectedHeader({ alg: 'dir', enc }).encrypt(key.bytes)
      return decrypt(token, key)?.equals(payload) === true
    }))
  })
}
