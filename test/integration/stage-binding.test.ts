// A session opens only in the app and stage that wrote it, even where two stages share one
// ARC_APP_SECRET: a staging session must not sign anyone in to production. Sessions from before
// the binding (plain arc.http(), or an older version of this app) are still read, once, and
// re-issued with it. On the built handlers, with ARC_ENV set, against Sandbox's DynamoDB; both
// stages here share Sandbox's one table, which makes table mode's check visible too (deployed,
// each stage also has a table of its own: npm run verify:deploy checks that).
import test from 'tape'
import { sign } from 'cookie-signature'
import { start, end, mode } from '../helpers/sandbox.ts'
import { event, bodyOf, cookiesSetBy } from '../helpers/lambda.ts'
import { warmLambda, sandboxEnv, callsOf, DEPLOYED_ORIGIN, type WarmLambda } from '../helpers/warm-lambda.ts'
import { signedInCookie } from '../helpers/passkeys.ts'
import { sealSession } from '../helpers/jwe.ts'
import { getRow, putRow } from '../helpers/table.ts'
import { randomSecret } from '../helpers/secrets.ts'
import { keyOf, decrypt } from '../../src/shared/session/cookie-store.ts'

const SHARED = randomSecret()
let staging: WarmLambda
let production: WarmLambda

/** What a session cookie (`__Host-idx=…`) holds, read behind the app's back */
async function recordBehind (pair: string): Promise<Record<string, unknown>> {
  let value = decodeURIComponent(pair.slice(pair.indexOf('=') + 1))
  if (mode === 'cookie') return JSON.parse(String(decrypt(value, keyOf(SHARED, 'A256GCM')))) as Record<string, unknown>
  return await getRow(value.split('.')[0]) ?? {}
}

async function signIn (lambda: WarmLambda, name: string): Promise<string> {
  let cookies = await signedInCookie(callsOf(lambda), name, { origin: DEPLOYED_ORIGIN })
  return cookies.split('; ').find(pair => pair.startsWith('__Host-idx=')) ?? ''
}

test('start Sandbox, and a staging and a production Lambda that share one secret', async t => {
  await start(t)
  staging = warmLambda(sandboxEnv({ ARC_ENV: 'staging', ARC_APP_SECRET: SHARED }))
  production = warmLambda(sandboxEnv({ ARC_ENV: 'production', ARC_APP_SECRET: SHARED }))
})

test('a session staging wrote opens nothing in production, and the reverse', async t => {
  let fromStaging = await signIn(staging, 'Tester')
  t.equal((await recordBehind(fromStaging))._aud, 'arc-sessions/staging', 'the session names its app and stage')
  let { response } = await production.call('get-index', event({ cookie: fromStaging }))
  t.equal(bodyOf(response).user, null, 'production does not sign the staging user in')
  t.equal(cookiesSetBy(response)['__Host-idx'], '', 'and clears the cookie')
  t.match(production.logs().join('\n'), /"event":"session.rejected".*a session written for another app or stage/, 'the log says why')

  let fromProduction = await signIn(production, 'Customer')
  let back = await staging.call('get-index', event({ cookie: fromProduction }))
  t.equal(bodyOf(back.response).user, null, 'staging does not open production\'s either')
  let home = await production.call('get-index', event({ cookie: fromProduction }))
  t.deepEqual(bodyOf(home.response).user, { name: 'Customer' }, 'while production opens its own')
})

test('a session from before the binding (plain arc.http()) is read once and re-issued bound to this stage', async t => {
  let data = { count: 3, user: { name: 'Adopter', account: 'adopter', since: Date.now() }, _owner: 'adopter', _handle: 'stage-binding-00' }
  let id = `unbound-${Date.now()}`
  let before = mode === 'cookie'
    ? `_idx=${sealSession(data, SHARED)}`
    : (await putRow({ _idx: id, _secret: 'x', _ttl: Math.floor(Date.now() / 1000) + 3600, ...data }), `_idx=${encodeURIComponent(sign(id, SHARED))}`)
  let { response } = await production.call('get-index', event({ cookie: before }))
  t.deepEqual([ bodyOf(response).user, bodyOf(response).count ], [ { name: 'Adopter' }, 3 ], 'the visitor keeps their session')
  let reissued = cookiesSetBy(response)['__Host-idx'] ?? ''
  t.equal((await recordBehind(reissued))._aud, 'arc-sessions/production', 're-issued at once, bound to production')
  let elsewhere = await staging.call('get-index', event({ cookie: reissued }))
  t.equal(bodyOf(elsewhere.response).user, null, 'so from then on it opens nowhere else')
})

test('stop the Lambdas and Sandbox', async t => {
  staging.close()
  production.close()
  await end(t)
})
