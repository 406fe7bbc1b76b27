// Deployed stages name the session cookie `__Host-idx`: a browser only takes it from this very host,
// over HTTPS, with Path=/ and no Domain, so a page on a sibling subdomain (evil.example.com next to
// app.example.com) can no longer plant a session of its choosing or wipe the visitor's.
// Checked on the built handlers with ARC_ENV=production, against Sandbox's DynamoDB.
import test from 'tape'
import { sign } from 'cookie-signature'
import { start, end, mode } from '../helpers/sandbox.ts'
import { event, bodyOf, cookiesSetBy } from '../helpers/lambda.ts'
import { warmLambda, sandboxEnv, callsOf, DEPLOYED_ORIGIN, type WarmLambda } from '../helpers/warm-lambda.ts'
import { signedInCookie } from '../helpers/passkeys.ts'
import { sealSession } from '../helpers/jwe.ts'
import { allRows, getRow, isRetired, putRow } from '../helpers/table.ts'
import { randomSecret } from '../helpers/secrets.ts'

const STRONG = randomSecret()

let lambda: WarmLambda

/** Signs in as `name` and returns the `__Host-idx=…` pair the response sets */
async function signIn (name: string): Promise<string> {
  let cookie = (await signedInCookie(callsOf(lambda), name, { origin: DEPLOYED_ORIGIN })).split('; ').find(pair => pair.startsWith('__Host-idx='))
  if (!cookie) throw new Error('sign-in set no __Host-idx')
  return cookie
}

async function whoIs (cookie: string) {
  let { response } = await lambda.call('get-index', event({ cookie }))
  return { user: bodyOf(response).user, count: bodyOf(response).count, set: cookiesSetBy(response) }
}

/** A session written before deployed stages used `__Host-idx`: an `_idx` cookie, count 4 */
async function sessionFromBefore (name = 'Ada'): Promise<string> {
  let data = { count: 4, user: { name, account: name.toLowerCase(), since: Date.now() }, _owner: name.toLowerCase(), _handle: 'host-cookie-0000' }
  if (mode === 'cookie') return `_idx=${sealSession(data, STRONG)}`
  let id = `from-before-${Date.now()}`
  await putRow({ _idx: id, _secret: 'x', _ttl: Math.floor(Date.now() / 1000) + 3600, _renewed: Date.now(), _version: 1, ...data })
  return `_idx=${encodeURIComponent(sign(id, STRONG))}`
}

test('start Sandbox and a production Lambda', async t => {
  await start(t)
  lambda = warmLambda(sandboxEnv({ ARC_ENV: 'production', ARC_APP_SECRET: STRONG }))
})

test('an `_idx` planted by a sibling subdomain is ignored next to the visitor\'s own cookie, wherever it stands', async t => {
  let victim = await signIn('Victim')
  let attacker = (await signIn('Mallory')).replace('__Host-idx=', '_idx=')
  for (let [ label, cookie ] of [
    [ 'planted after', `${victim}; ${attacker}` ],
    [ 'planted before', `${attacker}; ${victim}` ],
    [ 'garbage planted', `_idx=garbage; ${victim}` ],
  ]) {
    let seen = await whoIs(cookie)
    t.deepEqual(seen.user, { name: 'Victim' }, `${label}: still the victim's own session`)
    t.equal(seen.set['__Host-idx'], undefined, `${label}: the victim's cookie is neither cleared nor replaced`)
  }
})

test('a `__Host-idx` value replanted as `_idx` opens nothing, so it cannot sign a visitor in as the attacker', async t => {
  let planted = (await signIn('Mallory')).replace('__Host-idx=', '_idx=')
  let logged = lambda.logs().length
  let seen = await whoIs(planted)
  let lines = lambda.logs().slice(logged).map(line => JSON.parse(line) as Record<string, string>)
  t.deepEqual(lines.map(({ event, message }) => [ event, message ]), [ [ 'session.rejected', 'a __Host-idx session sent as _idx' ] ], 'logged as rejected, saying why')
  t.equal(seen.user, null, 'the visitor is not signed in as Mallory')
  t.equal(seen.set._idx, '', 'and the planted name is cleared (for this host)')
  let { response } = await lambda.call('post-count', event({ method: 'POST', path: '/count', cookie: planted, json: { by: 1 } }))
  t.equal(bodyOf(response).user, null, 'a write starts a session of the visitor\'s own')
})

test('a session from before `__Host-idx` is read once, moved to `__Host-idx` under a new identity, and `_idx` cleared', async t => {
  let before = await sessionFromBefore()
  let logged = lambda.logs().length
  let seen = await whoIs(before)
  let events = lambda.logs().slice(logged).map(line => (JSON.parse(line) as Record<string, string>).event)
  t.deepEqual(events, [ 'session.moved' ], 'logged as a move')
  t.deepEqual([ seen.user, seen.count ], [ { name: 'Ada' }, 4 ], 'the visitor keeps their session')
  t.ok(seen.set['__Host-idx'], 'it comes back as __Host-idx')
  t.equal(seen.set._idx, '', 'and _idx is cleared')
  let moved = await whoIs(seen.set['__Host-idx'] ?? '')
  t.deepEqual([ moved.user, moved.count ], [ { name: 'Ada' }, 4 ], 'the new cookie carries it')

  let replay = await whoIs(before)
  if (mode === 'table') {
    t.equal(replay.user, null, 'table mode: the old `_idx` opens nothing any more (its row is gone)')
    t.ok(isRetired(await getRow(decodeURIComponent(before.slice(5)).split('.')[0])), 'table mode: the old row is retired: a marker without the session\'s data')
  }
  else {
    t.deepEqual(replay.user, { name: 'Ada' }, 'cookie mode: the old `_idx` still opens until its idle limit (nothing to revoke; see README)')
  }
})

test('five requests at once with one `_idx` from before `__Host-idx` leave one session, not five', async t => {
  let before = await sessionFromBefore('Concurrent')
  let answers = await Promise.all(Array.from({ length: 5 }, () => lambda.call('get-index', event({ cookie: before }))))
  let movedTo = answers.map(({ response }) => cookiesSetBy(response)['__Host-idx']).filter(Boolean)
  if (mode === 'table') {
    let descendants = (await allRows()).filter(row => (row.user as { name?: string } | undefined)?.name === 'Concurrent')
    t.equal(descendants.length, 1, 'one row holds the session: the moves that lost the race were conflicts')
    t.equal(movedTo.length, 1, 'and one answer carries its __Host-idx')
    // A loser that read the old row answers 409 (its session moved meanwhile); one that came late
    // reads the marker, as a new visitor who stores nothing: neither sets a session cookie
    let statuses = answers.map(({ response }) => response.statusCode)
    t.ok(statuses.every(status => status === 200 || status === 409), `the others answer 409 or 200 without a session cookie (${statuses.join(', ')})`)
  }
  else {
    t.ok(answers.every(({ response }) => response.statusCode === 200), 'cookie mode: every request answers 200')
    t.equal(movedTo.length, 5, 'cookie mode: each answer seals its own copy (nothing on the server to make one)')
  }
})

test('stop the Lambda and Sandbox', async t => {
  lambda.close()
  await end(t)
})
