// A DynamoDB having a bad day: slow, busy with conflicts, or throttling. On the built handlers (what
// Lambda runs), given Lambda's context with the 10 s timeout app.arc sets, through a proxy that
// misbehaves on cue. Every request must answer before the timeout, with a status that says why.
// Cookie mode never calls DynamoDB, so there the same requests simply work.
import test from 'tape'
import { start, end, mode, devSecret, ports } from '../helpers/sandbox.ts'
import { event, bodyOf } from '../helpers/lambda.ts'
import { warmLambda, sandboxEnv, sandboxPorts, TIMEOUT_MS, type Result, type WarmLambda } from '../helpers/warm-lambda.ts'
import { dynamoProxy, type DynamoProxy } from '../helpers/dynamo-proxy.ts'

let lambda: WarmLambda
let proxy: DynamoProxy
let cookie = ''

const count = (by: number) => lambda.call('post-count', event({ method: 'POST', path: '/count', cookie, json: { by } }))

/** The answer a visitor gets when the store cannot serve them: a 503 that says when to retry */
function assertUnavailable (t: test.Test, { response }: Result) {
  t.equal(response.statusCode, 503, '503')
  t.deepEqual(bodyOf(response), { error: 'Sessions are unavailable right now; try again shortly' }, 'with a message')
  t.equal(response.headers?.['retry-after'], '2', 'and Retry-After: 2')
}

test('start Sandbox, and a warm Lambda whose DynamoDB calls go through a proxy we control', async t => {
  await start(t)
  proxy = await dynamoProxy(ports.tables)
  lambda = warmLambda(sandboxEnv({ ARC_APP_SECRET: await devSecret(), ARC_SANDBOX: sandboxPorts(proxy.port) }))
  let first = await lambda.call('post-count', event({ method: 'POST', path: '/count', json: { by: 7 } }))
  t.equal(first.response.statusCode, 200, 'works while DynamoDB is well')
  cookie = first.response.cookies?.[0]?.split(';')[0] ?? ''
})

test('DynamoDB answering in 2.5 s per call, and every write losing a race: an answer before the timeout', async t => {
  proxy.set({ delayMs: 2500, conflicts: Infinity })
  let result = await count(1)
  t.ok(result.ms < TIMEOUT_MS, `answered in ${Math.round(result.ms)} ms, within the ${TIMEOUT_MS} ms timeout`)
  // The budget runs out in a DynamoDB call, or in a pause between attempts, which the next call
  // then refuses to start: either way a 503, and never Lambda's timeout
  if (mode === 'table') assertUnavailable(t, result)
  else {
    t.equal(result.response.statusCode, 200, 'cookie mode: unaffected')
  }
})

test('a write that loses every race answers 409 with a message, quickly', async t => {
  proxy.set({ conflicts: Infinity })
  let { response, ms } = await count(1)
  if (mode === 'table') {
    t.equal(response.statusCode, 409, `409 after 10 attempts (${Math.round(ms)} ms)`)
    t.deepEqual(bodyOf(response), { error: 'This session is busy with other requests; try again' }, 'with a message')
  }
  else {
    t.equal(response.statusCode, 200, 'cookie mode: unaffected')
  }
})

test('a write DynamoDB refuses outright (not a lost race) answers 503 at once, without re-running the handler', async t => {
  let callsBefore = proxy.calls().length
  proxy.set({ invalidWrites: Infinity })
  let result = await count(1)
  proxy.set({})
  if (mode === 'table') {
    assertUnavailable(t, result)
    t.deepEqual(proxy.calls().slice(callsBefore), [ 'GetItem', 'PutItem' ], 'one read, one write: only a lost race is retried')
  }
  else {
    t.equal(result.response.statusCode, 200, 'cookie mode: unaffected')
  }
})

test('DynamoDB throttling twice, then answering: a normal answer (aws-lite retried; we did not retry again)', async t => {
  proxy.set({})
  let before = (bodyOf((await lambda.call('get-index', event({ cookie }))).response).count as number)
  let callsBefore = proxy.calls().length
  proxy.set({ throttle: 2 })
  let { response } = await count(1)
  t.equal(response.statusCode, 200, '200')
  t.equal(bodyOf(response).count, before + 1, 'the count went up by one')
  if (mode === 'table') t.deepEqual(proxy.calls().slice(callsBefore), [ 'GetItem', 'GetItem', 'GetItem', 'PutItem' ], 'two throttled reads, one read, one write')
})

test('DynamoDB that always throttles: 503 with Retry-After, before the timeout', async t => {
  proxy.set({ throttle: Infinity })
  let result = await count(1)
  t.ok(result.ms < TIMEOUT_MS, `answered in ${Math.round(result.ms)} ms`)
  if (mode === 'table') assertUnavailable(t, result)
  else t.equal(result.response.statusCode, 200, 'cookie mode: unaffected')
  proxy.set({})
})

test('stop the Lambda, the proxy and Sandbox', async t => {
  lambda.close()
  await proxy.close()
  await end(t)
})
