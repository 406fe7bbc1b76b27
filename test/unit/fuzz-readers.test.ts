// Property-based tests of both session readers, in-process, with fast-check. The cookie is the
// attacker's to choose and a row may hold anything an older app wrote, so for every input:
// the reader never throws, never yields data the server did not write, and what the handler
// would see always has the schema's shape. Seeded: FUZZ_SEED=n reruns a failure exactly.
import test from 'tape'
import fc from 'fast-check'
import * as v from 'valibot'
import { sign } from 'cookie-signature'
import { AppSession } from '../../src/shared/app.ts'
import { readSettings } from '../../src/shared/session/config.ts'
import { cookieStore } from '../../src/shared/session/cookie-store.ts'
import { checkData, splitRecord } from '../../src/shared/session/data.ts'
import type { SessionRecord } from '../../src/shared/session/store.ts'
import { recordFromRow, signedId } from '../../src/shared/session/table-store.ts'
import { seal } from '../helpers/jwe.ts'
import { BASE64URL, mutations } from '../helpers/mutations.ts'
import { randomSecret } from '../helpers/secrets.ts'

// FUZZ_RUNS lowers the count where speed matters more than depth (npm run test:mutation)
const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000)
const seed = Number(process.env.FUZZ_SEED ?? 20261127)
const SECRET = randomSecret()
const PREVIOUS = randomSecret()
const OTHER = randomSecret()

const setup = readSettings({ ARC_APP_SECRET: SECRET, ARC_APP_SECRET_PREVIOUS: PREVIOUS })
if (!setup.ok) throw new Error(setup.problem)
const settings = setup.settings

/** Runs a property with the shared seed; a failure names the seed that reproduces it */
async function holds<T> (t: test.Test, name: string, property: fc.IAsyncProperty<[T]> | fc.IProperty<[T]>) {
  try {
    await fc.assert(property, { seed, numRuns: RUNS })
    t.pass(`${name}: ${RUNS} cases (seed ${seed})`)
  }
  catch (err) {
    t.fail(`${name}: failed with seed ${seed} (rerun: FUZZ_SEED=${seed} npm run test:unit)\n${String(err)}`)
  }
}

// ---- Cookie mode -------------------------------------------------------------------------------

test('cookie reader: mutated cookies are refused unless they are a real cookie, letter for letter', async t => {
  let store = cookieStore(settings)
  let written: Record<string, SessionRecord> = {}
  for (let record of [ { count: 1, _renewed: Date.now() }, { count: 2, cart: [ 'a' ], _renewed: Date.now() } ]) {
    written[await store.save(record, null, false, Infinity)] = record
  }
  // One made with the previous secret, the way Architect would have sealed it
  written[seal({ count: 3, iat: Math.floor(Date.now() / 1000) }, PREVIOUS)] = { count: 3, _renewed: Math.floor(Date.now() / 1000) * 1000 }
  let valid = Object.keys(written)
  let header = fc.jsonValue().map(json => Buffer.from(JSON.stringify(json)).toString('base64url'))
  let headerChanged = fc.tuple(fc.constantFrom(...valid), header).map(([ c, h ]) => [ h, ...c.split('.').slice(1) ].join('.'))
  let otherSecret = fc.dictionary(fc.string(), fc.jsonValue()).map(payload => seal({ ...payload, _renewed: Date.now() }, OTHER))

  let refused = 0
  let realOnes = 0
  await holds(t, 'no forged, bent or foreign cookie opens', fc.asyncProperty(fc.oneof(mutations(valid, '.'), headerChanged, otherSecret), async token => {
    let loaded = await store.load(token, Infinity)
    if (!loaded) {
      refused++
      return true
    }
    realOnes++
    // It opened: it must be a cookie we wrote, and hold exactly what we wrote
    return Object.hasOwn(written, token) && JSON.stringify(loaded.record) === JSON.stringify(written[token])
  }))
  t.comment(`cookie mutations: ${refused} refused, ${realOnes} were a real cookie unchanged, 0 accepted otherwise`)
})

test('cookie reader: a tag cut short or lengthened is always refused', async t => {
  let store = cookieStore(settings)
  let token = await store.save({ count: 1, _renewed: Date.now() }, null, false, Infinity)
  let cut = fc.integer({ min: 1, max: 21 }).map(n => token.slice(0, -n))
  let shortTag = fc.integer({ min: 4, max: 15 }).map(bytes => seal({ count: 1, _renewed: Date.now() }, SECRET, { tagBytes: bytes }))
  let longer = fc.string({ unit: fc.constantFrom(...BASE64URL), minLength: 1, maxLength: 8 }).map(extra => token + extra)
  await holds(t, 'tag length other than 16 bytes', fc.asyncProperty(fc.oneof(cut, shortTag, longer), async bad => await store.load(bad, Infinity) === null))
})

// ---- Table mode --------------------------------------------------------------------------------

test('table reader: a bent signed id is refused unless it is a real one, letter for letter', async t => {
  let secrets = [ SECRET, PREVIOUS ]
  let ids = [ 'aaaaaaaaaaaaaaaaaaaaaaaa', 'Zm9vYmFyYmF6cXV4MTIzNDU2', 'r4nd0m-1d_w1th-symb0ls12' ]
  let written = new Map([ ...ids.map(id => [ sign(id, SECRET), id ] as const), [ sign(ids[0], PREVIOUS), ids[0] ] ])
  let foreign = fc.string({ unit: fc.constantFrom(...BASE64URL), minLength: 1, maxLength: 40 }).map(id => sign(id, OTHER))
  let refused = 0
  let real = 0
  await holds(t, 'no forged, bent or foreign id opens, and every real one does', fc.property(fc.oneof(mutations([ ...written.keys() ], '.'), foreign), value => {
    let found = signedId(value, secrets)
    if (!found) {
      refused++
      return !written.has(value)
    }
    real++
    return written.get(value) === found.id
  }))
  t.ok(real > 0, `signed id mutations: ${refused} refused, ${real} were a real id unchanged and opened as it, 0 accepted otherwise`)
})

// ---- Stored records of any shape, in both stores -------------------------------------------------

const FIELD = fc.oneof(fc.constantFrom('count', 'user', 'cart', '_flash', '_since', '_renewed', 'iat', '_ttl', '_version', '__proto__', 'constructor'), fc.string())
const VALUE = fc.oneof(fc.jsonValue(), fc.constant(null), fc.integer(), fc.string())
const STORED = fc.dictionary(FIELD, VALUE, { maxKeys: 8 })

/** What the handler would see from a stored record: the checks session.ts makes on every read */
function seen (record: SessionRecord) {
  let { meta, fields } = splitRecord(record)
  return { meta, ...checkData(AppSession, fields) }
}

function satisfiesSchema (record: SessionRecord): boolean {
  let { meta, data } = seen(record)
  let again = v.safeParse(AppSession, data)
  return Number.isFinite(meta.renewed) && typeof meta.since === 'number' && (meta.flash === null || typeof meta.flash === 'string') &&
    again.success && JSON.stringify(again.output) === JSON.stringify(data) &&
    !Object.hasOwn(data, '__proto__') && Object.getPrototypeOf(data) === Object.prototype
}

test('cookie store: a sealed record of any shape reads without throwing, and as the schema says', async t => {
  let store = cookieStore(settings)
  let opened = 0
  await holds(t, 'any sealed JSON', fc.asyncProperty(fc.oneof(STORED.map(fields => ({ _renewed: Date.now(), ...fields })), STORED, fc.jsonValue()), async payload => {
    let loaded = await store.load(seal(payload, SECRET), Infinity)
    if (!loaded) return true
    opened++
    return satisfiesSchema(loaded.record)
  }))
  t.ok(opened > RUNS / 10, `and many of them opened (${opened}), so the check was not vacuous`)
})

test('table store: a row of any shape reads without throwing, and as the schema says', async t => {
  let now = Date.now()
  // What aws-lite can hand back from DynamoDB: JSON, but also BigInt, sets and binary
  let dynamoValue = fc.oneof(VALUE, fc.bigInt(), fc.uniqueArray(fc.string()).map(items => new Set(items)), fc.uint8Array().map(bytes => Buffer.from(bytes)))
  let ttl = fc.oneof(fc.constant(Math.floor(now / 1000) + 3600), fc.integer(), fc.string())
  let row = fc.tuple(fc.dictionary(FIELD, dynamoValue, { maxKeys: 8 }), ttl).map(([ item, _ttl ]) => ({ ...item, _idx: 'x', _ttl }))
  let opened = 0
  await holds(t, 'any row', fc.property(row, item => {
    let found = recordFromRow(item, now)
    if (!found) return true
    opened++
    return satisfiesSchema(found.record)
  }))
  t.ok(opened > RUNS / 10, `and many of them opened (${opened}), so the check was not vacuous`)
})
