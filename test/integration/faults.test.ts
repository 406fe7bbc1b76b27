// When DynamoDB refuses connections, hangs, or the table is missing: table mode answers 503 within
// a few seconds and recovers on its own; cookie mode, which needs no database, carries on.
import test from 'tape'
import { start, end, mode, devSecret, ports } from '../helpers/sandbox.ts'
import { cookieValue } from '../helpers/browser-like.ts'
import { event, bodyOf } from '../helpers/lambda.ts'
import { warmLambda, sandboxEnv, sandboxPorts, type WarmLambda } from '../helpers/warm-lambda.ts'
import { faultProxy, type FaultProxy } from '../helpers/fault-proxy.ts'

let lambda: WarmLambda
let proxy: FaultProxy
let cookie = ''

test('start Sandbox, and a warm Lambda that reaches DynamoDB through a proxy we control', async t => {
  await start(t)
  proxy = await faultProxy(ports.tables)
  lambda = warmLambda(sandboxEnv({
    ARC_APP_SECRET: await devSecret(),
    ARC_SANDBOX: sandboxPorts(proxy.port),
  }))
  let { response } = await lambda.call('post-count', event({ method: 'POST', path: '/count', json: { by: 7 } }))
  t.equal(response.statusCode, 200, 'works while DynamoDB is up')
  cookie = response.cookies?.[0]?.split(';')[0] ?? ''
})

for (let fault of [ 'refuse', 'hang' ] as const) {
  test(`DynamoDB that ${fault === 'refuse' ? 'refuses connections' : 'accepts but never answers'}`, async t => {
    proxy.set(fault)
    let { response, ms } = await lambda.call('get-index', event({ cookie }))
    if (mode === 'table') {
      t.equal(response.statusCode, 503, 'table mode: 503')
      t.deepEqual(bodyOf(response), { error: 'Sessions are unavailable right now; try again shortly' }, 'with a message')
      t.ok(ms < 5000, `within the time bound (${Math.round(ms)} ms)`)
    }
    else {
      t.equal(response.statusCode, 200, 'cookie mode: unaffected')
      t.equal(bodyOf(response).count, 7, 'with its count')
    }
    let write = await lambda.call('post-count', event({ method: 'POST', path: '/count', cookie, json: { by: 1 } }))
    t.equal(write.response.statusCode, mode === 'table' ? 503 : 200, 'a write answers the same way')
  })
}

test('when DynamoDB comes back, the same warm Lambda works again without a restart', async t => {
  proxy.set('pass')
  let { response } = await lambda.call('get-index', event({ cookie }))
  t.equal(response.statusCode, 200, 'GET / answers 200 again')
  t.equal(bodyOf(response).count, 7, 'and the session is intact')
})

test('a visitor without a session never needs DynamoDB, even while it is down', async t => {
  proxy.set('refuse')
  let { response } = await lambda.call('get-index', event({}))
  t.equal(response.statusCode, 200, 'GET / without a cookie answers 200')
  proxy.set('pass')
})

if (mode === 'table') {
  test('table mode: a session table that does not exist gives a 503, not a crash', async t => {
    let missing = warmLambda(sandboxEnv({ ARC_APP_SECRET: await devSecret(), ARC_SESSION_TABLE_NAME: 'no-such-table' }))
    let { response } = await missing.call('post-count', event({ method: 'POST', path: '/count', json: { by: 1 } }))
    t.equal(response.statusCode, 503, 'a 503')
    missing.close()
  })
}

test('the log of all of the above names each failure and holds no cookie', async t => {
  let lines = lambda.logs()
  t.notOk(lines.some(line => line.includes(cookieValue(cookie))), `no cookie value in ${lines.length} lines`)
  if (mode === 'table') t.ok(lines.some(line => line.includes('"event":"store.failed"')), 'each store failure is logged as store.failed')
})

test('stop the Lambda, the proxy and Sandbox', async t => {
  lambda.close()
  await proxy.close()
  await end(t)
})
