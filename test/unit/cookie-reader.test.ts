// Cookie mode's reader and writer, case by case: what opens, what it reads as, and every shape
// of token it refuses (without throwing: a refused cookie is no session, never an error).
import test from 'tape'
import jwt from 'node-webtokens'
import { readSettings } from '../../src/shared/session/config.ts'
import { cookieStore, decrypt, keyOf } from '../../src/shared/session/cookie-store.ts'
import { seal } from '../helpers/jwe.ts'
import { randomSecret } from '../helpers/secrets.ts'

const SECRET = randomSecret()
const PREVIOUS = randomSecret()
const NOW = Date.now()

function storeWith (env: Record<string, string> = {}) {
  let setup = readSettings({ ARC_APP_SECRET: SECRET, ARC_APP_SECRET_PREVIOUS: PREVIOUS, ...env })
  if (!setup.ok) throw new Error(setup.problem)
  return cookieStore(setup.settings)
}

test('a cookie we sealed opens as exactly what was sealed, under the current secret', async t => {
  let store = storeWith()
  let record = { count: 2, cart: [ 'tea' ], _renewed: NOW }
  let loaded = await store.load(await store.save(record, null, false, Infinity), Infinity)
  t.deepEqual(loaded, { record, id: null, version: 0, oldSecret: false, expired: false }, 'a token sealed with the current secret opens, marked current')
})

test('a cookie sealed with ARC_APP_SECRET_PREVIOUS opens, marked so that it is re-issued', async t => {
  let loaded = await storeWith().load(seal({ count: 1, _renewed: NOW }, PREVIOUS), Infinity)
  t.deepEqual(loaded, { record: { count: 1, _renewed: NOW }, id: null, version: 0, oldSecret: true, expired: false }, 'a token sealed with the previous secret opens, marked old')
})

test('a cookie plain arc.http() sealed (an `iat`, no `_renewed`) opens, last renewed at its `iat`', async t => {
  let iat = Math.floor(NOW / 1000)
  let loaded = await storeWith().load(seal({ count: 5, iat }, SECRET), Infinity)
  t.deepEqual(loaded?.record, { count: 5, _renewed: iat * 1000 }, 'the record keeps its count, renewed at the token\'s iat')
})

test('what we seal carries `iat` in seconds, which Architect\'s own reader checks its one-week lifetime against', async t => {
  let token = await storeWith().save({ count: 3, _renewed: NOW }, null, false, Infinity)
  let payload = JSON.parse(String(decrypt(token, keyOf(SECRET, 'A256GCM')))) as Record<string, unknown>
  t.equal(payload.iat, Math.floor(NOW / 1000), '`iat` is `_renewed` in whole seconds')
  let architect = jwt.parse(token).setTokenLifetime(604800).verify(Buffer.from(SECRET.slice(0, 32)).toString('base64'))
  t.equal(architect.valid, true, 'and arc.http.session.read accepts it')
})

test('with ARC_APP_SECRET_ALGO=A128GCM, tokens are A128GCM, keyed by the first 16 characters', async t => {
  let store = storeWith({ ARC_APP_SECRET_ALGO: 'A128GCM' })
  let token = await store.save({ count: 1, _renewed: NOW }, null, false, Infinity)
  t.equal(Buffer.from(token.split('.')[0], 'base64url').toString(), '{"alg":"dir","enc":"A128GCM"}', 'the header names A128GCM for a 16-character key')
  t.ok(await store.load(seal({ count: 1, _renewed: NOW }, SECRET, { enc: 'A128GCM' }), Infinity), 'and it opens A128GCM tokens')
  t.equal(await store.load(seal({ count: 1, _renewed: NOW }, SECRET), Infinity), null, 'but not A256GCM ones')
})

test('every other shape is refused, as no session, without throwing', async t => {
  let store = storeWith()
  let good = seal({ count: 1, _renewed: NOW }, SECRET)
  let [ header, , iv, ciphertext, tag ] = good.split('.')
  let payload = { count: 1, _renewed: NOW }
  let refused: [string, string][] = [
    [ 'a sixth segment after a real cookie', `${good}.AAAA` ],
    [ 'four segments', [ header, '', iv, ciphertext ].join('.') ],
    [ 'the tag cut to 12 bytes (node-webtokens accepts it)', seal(payload, SECRET, { tagBytes: 12 }) ],
    [ 'the tag cut to 4 bytes (node-webtokens accepts it)', seal(payload, SECRET, { tagBytes: 4 }) ],
    [ 'a 16-byte IV', seal(payload, SECRET, { ivBytes: 16 }) ],
    [ 'an encrypted key where `dir` has none', seal(payload, SECRET, { encryptedKey: 'AAAA' }) ],
    [ 'the same header spelled with spaces', seal(payload, SECRET, { header: '{ "alg": "dir", "enc": "A256GCM" }' }) ],
    [ 'the same header in another order', seal(payload, SECRET, { header: { enc: 'A256GCM', alg: 'dir' } }) ],
    [ 'a header with `zip`', seal(payload, SECRET, { header: { alg: 'dir', enc: 'A256GCM', zip: 'DEF' } }) ],
    [ 'a segment that is not base64url', [ header, '', '!!!!', ciphertext, tag ].join('.') ],
    [ 'a segment re-spelled in padded base64', [ header, '', `${iv}==`, ciphertext, tag ].join('.') ],
    [ 'an encrypted key segment that is not even base64url', [ header, '!!', iv, ciphertext, tag ].join('.') ],
    [ 'sealed with another secret', seal(payload, randomSecret()) ],
    [ 'a payload that is not JSON', seal(null, SECRET, { plaintext: '{"count":' }) ],
    [ 'a payload that is a JSON array', seal([ 1, 2 ], SECRET) ],
    [ 'a payload that is JSON null', seal(null, SECRET) ],
    [ 'a payload with neither `_renewed` nor `iat`', seal({ count: 1 }, SECRET) ],
    [ 'an empty string', '' ],
  ]
  for (let [ label, token ] of refused) {
    t.equal(await store.load(token, Infinity), null, `${label}: refused`)
  }
  t.ok(await store.load(good, Infinity), 'while the cookie they came from opens')
})

test('decrypt answers null, exactly, for a token whose tag does not match', t => {
  let good = seal({ count: 1, _renewed: NOW }, SECRET)
  // (the next-to-last character of the tag changes: it is the one replaced, 1 time in 64 an 'A' already)
  let flipped = good.slice(0, -2) + (good.at(-2) === 'A' ? 'B' : 'A') + good.slice(-1)
  t.equal(decrypt(flipped, keyOf(SECRET, 'A256GCM')), null, 'a flipped byte opens nothing')
  t.end()
})

test('cookie mode keeps no list of an owner\'s sessions, and cannot end one alone', async t => {
  let store = storeWith()
  t.equal(await store.listOwned('ada', performance.now() + 1000), null, 'listOwned: null, there is no list')
  let refusal = await store.endOne('ada', 'a-handle', performance.now() + 1000).then(() => '', (err: Error) => err.message)
  t.match(refusal, /cookie mode cannot end one session alone/, 'endOne: refused, before any DynamoDB call')
})
