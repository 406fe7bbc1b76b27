// Choosing the mode and the table the way @architect/functions reads them, so Architect's guide
// works as written: ARC_SESSION_TABLE_NAME, else SESSION_TABLE_NAME; `jwe` in either for cookie
// mode; the table by its logical name (`session`) or its physical one. On the built handlers,
// each with its own environment, against Sandbox's DynamoDB.
import test from 'tape'
import arc from '@architect/functions'
import { start, end, devSecret } from '../helpers/sandbox.ts'
import { event, bodyOf, cookiesSetBy } from '../helpers/lambda.ts'
import { warmLambda, sandboxEnv } from '../helpers/warm-lambda.ts'
import { getRow } from '../helpers/table.ts'

let physical = ''

/** POST /count, then GET / with its cookie, under these variables */
async function countUnder (variables: Record<string, string>) {
  let lambda = warmLambda(sandboxEnv({ ARC_APP_SECRET: await devSecret(), ARC_SESSION_TABLE_NAME: '', ...variables }))
  let write = await lambda.call('post-count', event({ method: 'POST', path: '/count', json: { by: 2 } }))
  let cookie = cookiesSetBy(write.response)._idx ?? ''
  let read = await lambda.call('get-index', event({ cookie }))
  lambda.close()
  return { write: write.response, read: read.response, cookie, logs: lambda.logs() }
}

test('start Sandbox', async t => {
  await start(t)
  physical = (await (await arc.tables()).reflect()).session
  t.ok(physical && physical !== 'session', `Sandbox's physical name for the table: ${physical}`)
})

for (let [ variable, name ] of [
  [ 'ARC_SESSION_TABLE_NAME', 'session' ],
  [ 'SESSION_TABLE_NAME', 'session' ],
  [ 'ARC_SESSION_TABLE_NAME', 'physical' ],
  [ 'SESSION_TABLE_NAME', 'physical' ],
]) {
  test(`${variable} set to the table's ${name === 'session' ? 'logical' : 'physical'} name: table mode`, async t => {
    let { write, read, cookie } = await countUnder({ [variable]: name === 'session' ? name : physical })
    t.equal(write.statusCode, 200, 'the write answers 200')
    t.equal(bodyOf(read).count, 2, 'and the session reads back')
    t.equal(bodyOf(read).mode, 'table', 'in table mode')
    t.equal((await getRow(decodeURIComponent(cookie.slice(5)).split('.')[0]))?.count, 2, 'from a row in the table')
  })
}

for (let variable of [ 'ARC_SESSION_TABLE_NAME', 'SESSION_TABLE_NAME' ]) {
  test(`${variable}=jwe: cookie mode`, async t => {
    let { read, cookie } = await countUnder({ [variable]: 'jwe' })
    t.equal(bodyOf(read).mode, 'cookie', 'cookie mode')
    t.equal(bodyOf(read).count, 2, 'the session reads back')
    t.equal(cookie.split('.').length, 5, 'from a JWE cookie')
  })
}

test('a name that matches no table: 503, and the log names what it looked for and what exists', async t => {
  let { write, logs } = await countUnder({ ARC_SESSION_TABLE_NAME: 'arc-sessions-production-sessions' })
  t.equal(write.statusCode, 503, '503')
  let line = JSON.parse(logs[0] ?? '{}') as Record<string, string>
  t.equal(line.event, 'store.failed', 'store.failed')
  t.ok(line.message.includes('"arc-sessions-production-sessions" not found as a logical or a physical name'), 'the name it tried')
  t.ok(line.message.includes(`(logical: physical): {"session":"${physical}",`), 'and the tables that exist, the session table first')
})

test('end Sandbox', end)
