// Every session setting @architect/functions 8 reads means the same with the wrapper, or stops the
// function with a message: an app that adopts the wrapper keeps its settings. On the built
// handlers (what Lambda runs), each in a process with the environment under test.
import test from 'tape'
import arc from '@architect/functions'
import { sign } from 'cookie-signature'
import { start, end, mode } from '../helpers/sandbox.ts'
import { event, bodyOf } from '../helpers/lambda.ts'
import { warmLambda, sandboxEnv, type WarmLambda } from '../helpers/warm-lambda.ts'
import { randomSecret } from '../helpers/secrets.ts'
import { sealSession } from '../helpers/jwe.ts'
import { putRow } from '../helpers/table.ts'

const SECRET = randomSecret()

test('start Sandbox (which builds the handlers)', start)

function lambdaWith (env: Record<string, string>): WarmLambda {
  return warmLambda(sandboxEnv({ ARC_APP_SECRET: SECRET, ...env }))
}

/** Counts once as a new visitor; returns every Set-Cookie header and the `name=value` pair to send back */
async function countOnce (lambda: WarmLambda, now?: number) {
  let { response } = await lambda.call('post-count', event({ method: 'POST', path: '/count', json: { by: 1 } }), now)
  let headers = response.cookies ?? []
  return { headers, pair: headers[0]?.split(';')[0] ?? '' }
}

test('SESSION_TTL, when ARC_SESSION_TTL is unset, is the idle limit and the cookie\'s Max-Age', async t => {
  let lambda = lambdaWith({ ARC_SESSION_TTL: '', SESSION_TTL: '1800' })
  let now = Date.now()
  let { headers, pair } = await countOnce(lambda, now)
  t.match(headers[0], /; Max-Age=1800;/, 'Max-Age=1800')
  // (before half the idle limit, so this read does not renew the session)
  let soon = await lambda.call('get-index', event({ cookie: pair }), now + 800 * 1000)
  t.equal(bodyOf(soon.response).count, 1, 'read within 1800 s')
  let late = await lambda.call('get-index', event({ cookie: pair }), now + 1801 * 1000)
  t.equal(bodyOf(late.response).count, 0, 'refused after 1800 s without a visit')
  lambda.close()
})

test('ARC_SESSION_SAME_SITE sets SameSite; `none` also makes the cookie Secure, even locally', async t => {
  for (let [ value, expected, secure ] of [ [ 'strict', 'Strict', false ], [ 'None', 'None', true ] ] as const) {
    let lambda = lambdaWith({ ARC_SESSION_SAME_SITE: value })
    let { headers } = await countOnce(lambda)
    t.match(headers[0], new RegExp(`; SameSite=${expected}$`), `${value}: SameSite=${expected}`)
    t.equal(/; Secure/.test(headers[0]), secure, secure ? 'and Secure' : 'not Secure over http://localhost')
    lambda.close()
  }
})

test('ARC_SESSION_DOMAIN: the cookie carries the Domain, and sign-out clears both the Domain and the host-only cookie', async t => {
  let lambda = lambdaWith({ ARC_SESSION_DOMAIN: 'example.com' })
  let { headers, pair } = await countOnce(lambda)
  t.match(headers[0], /^_idx=[^;]+; Max-Age=\d+; Domain=example\.com; Path=\//, '_idx, Domain=example.com')
  let out = await lambda.call('post-logout', event({ method: 'POST', path: '/logout', cookie: pair }))
  let clears = out.response.cookies ?? []
  t.equal(clears.length, 2, 'two cookies cleared')
  t.ok(clears.every(c => c.startsWith('_idx=;') && /Max-Age=0/.test(c)), 'both _idx, Max-Age=0')
  t.deepEqual(clears.map(c => /Domain=example\.com/.test(c)).sort(), [ false, true ], 'one with the Domain, one without: to a browser they are two cookies')
  lambda.close()
})

test('deployed with SESSION_DOMAIN: __Secure-idx with the Domain; an old _idx is moved, and cleared with and without the Domain', async t => {
  let lambda = lambdaWith({ ARC_ENV: 'production', SESSION_DOMAIN: 'example.com' })
  let { headers, pair } = await countOnce(lambda)
  t.match(headers[0], /^__Secure-idx=[^;]+; Max-Age=\d+; Domain=example\.com; Path=\/; HttpOnly; Secure; SameSite=Lax$/, '__Secure-idx, Domain, Secure')
  t.equal(bodyOf((await lambda.call('get-index', event({ cookie: pair }))).response).count, 1, 'and it reads back')

  // An `_idx` from before the deploy, as plain arc.http() wrote it
  let data = { count: 1, user: null }
  let id = `before-domain-${Date.now()}`
  let old = mode === 'cookie'
    ? `_idx=${sealSession(data, SECRET)}`
    : (await putRow({ _idx: id, _secret: 'x', _ttl: Math.floor(Date.now() / 1000) + 3600, ...data }), `_idx=${encodeURIComponent(sign(id, SECRET))}`)
  let moved = await lambda.call('post-count', event({ method: 'POST', path: '/count', json: { by: 1 }, cookie: old }))
  t.equal(bodyOf(moved.response).count, 2, 'the old session is read')
  let set = moved.response.cookies ?? []
  t.ok(set.some(c => c.startsWith('__Secure-idx=') && !/Max-Age=0/.test(c)), 'moved to __Secure-idx')
  let cleared = set.filter(c => c.startsWith('_idx=;') && /Max-Age=0/.test(c))
  t.deepEqual(cleared.map(c => /Domain=example\.com/.test(c)).sort(), [ false, true ], '_idx cleared with and without the Domain')
  lambda.close()
})

test('ARC_APP_SECRET_ALGO=A128GCM: cookies are A128GCM, and plain arc.http.session reads ours and we read its (cookie mode; table mode ignores it)', async t => {
  let lambda = lambdaWith({ ARC_APP_SECRET_ALGO: 'A128GCM' })
  let { pair } = await countOnce(lambda)
  if (mode === 'table') {
    t.equal(bodyOf((await lambda.call('get-index', event({ cookie: pair }))).response).count, 1, 'table mode works as before')
    lambda.close()
    return
  }
  let header: unknown = JSON.parse(Buffer.from(pair.replace('_idx=', '').split('.')[0], 'base64url').toString())
  t.deepEqual(header, { alg: 'dir', enc: 'A128GCM' }, 'the header names A128GCM')
  Object.assign(process.env, { ARC_APP_SECRET: SECRET, ARC_APP_SECRET_ALGO: 'A128GCM', ARC_SESSION_TABLE_NAME: 'jwe' })
  try {
    let theirs: Record<string, unknown> = await arc.http.session.read({ headers: { cookie: pair } } as never)
    t.equal(theirs.count, 1, 'arc.http.session.read with the same setting opens ours')
    let written: string = await arc.http.session.write({ count: 41 })
    let ours = await lambda.call('get-index', event({ cookie: written.split(';')[0] }))
    t.equal(bodyOf(ours.response).count, 41, 'and we open what arc.http.session.write sealed')
  }
  finally {
    delete process.env.ARC_APP_SECRET_ALGO
  }
  let other = lambdaWith({ ARC_APP_SECRET_ALGO: 'A256GCM' })
  t.equal(bodyOf((await other.call('get-index', event({ cookie: pair }))).response).count, 0, 'an A256GCM app refuses an A128GCM cookie: one algorithm only')
  other.close()
  lambda.close()
})

/** The one log line a refused setup writes, after a request to it */
async function refusal (env: Record<string, string>) {
  let lambda = lambdaWith(env)
  let { response } = await lambda.call('get-index', event({}))
  let lines = lambda.logs().map(line => JSON.parse(line) as Record<string, string>)
  lambda.close()
  return { status: response.statusCode, line: lines.find(line => line.event === 'setup.refused') }
}

test('ARC_FORCE_LEGACY_JWE_SECRET stops cookie mode with a message saying what to do; table mode ignores it, as Architect does', async t => {
  let { status, line } = await refusal({ ARC_FORCE_LEGACY_JWE_SECRET: 'true' })
  if (mode === 'cookie') {
    t.equal(status, 500, 'a generic 500')
    t.match(String(line?.message), /ARC_FORCE_LEGACY_JWE_SECRET .*remove it/, 'the log says why and what to do')
  }
  else {
    t.equal(status, 200, 'table mode answers')
    t.equal(line, undefined, 'and logs no refusal')
  }
})

test('SESSION_TABLE_NAME=jwe left over next to ARC_SESSION_TABLE_NAME=session stops the function, naming both', async t => {
  let { status, line } = await refusal({ ARC_SESSION_TABLE_NAME: 'session', SESSION_TABLE_NAME: 'jwe' })
  t.equal(status, 500, 'a generic 500, not a silent cookie mode')
  t.match(String(line?.message), /ARC_SESSION_TABLE_NAME is "session" but SESSION_TABLE_NAME is "jwe"/, 'the log names both')
})

test('a bad ARC_SESSION_SAME_SITE or ARC_SESSION_DOMAIN stops the function at its first request, with the reason', async t => {
  let bad: [Record<string, string>, RegExp][] = [ [ { ARC_SESSION_SAME_SITE: 'loose' }, /ARC_SESSION_SAME_SITE must be lax, strict or none/ ], [ { ARC_SESSION_DOMAIN: 'exa mple.com' }, /ARC_SESSION_DOMAIN must be a domain name/ ] ]
  for (let [ env, why ] of bad) {
    let { status, line } = await refusal(env)
    t.equal(status, 500, `${Object.keys(env)[0]}: 500`)
    t.match(String(line?.message), why, 'and the reason in the log')
  }
})

test('end Sandbox', end)
