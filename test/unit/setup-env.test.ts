// npm run setup:env, with `npx arc env` replaced by a recorder: AWS is the one thing faked here.
import test from 'tape'
import { setupEnv, parseArcEnv, type ArcEnv } from '../../scripts/lib/setup-env.ts'

const OLD = 'Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eHF1dXhxdXV4cXV1eHF1dXhxdXV4'

// What `npx arc env` prints (colours stripped); production has a secret, staging nothing
const PRINTED = `
⚬ Env Testing env vars:
  | ARC_APP_SECRET dev-only-secret-do-not-use-in-production-0123456789
⚬ Env Staging env vars:
  | None found! Add staging env vars with: arc env --add --env staging NAME value
⚬ Env Production env vars:
  | ARC_APP_SECRET ${OLD}
  | ARC_SESSION_TABLE_NAME session
`

function recorder (printed = PRINTED) {
  let calls: string[][] = []
  let log: string[] = []
  let arcEnv: ArcEnv = async args => {
    calls.push(args)
    return args.length ? '' : printed
  }
  return { calls, log, arcEnv, say: (line: string) => { log.push(line) } }
}

test('reads the printed variables of one stage', t => {
  t.deepEqual(parseArcEnv(PRINTED, 'production'), { ARC_APP_SECRET: OLD, ARC_SESSION_TABLE_NAME: 'session' })
  t.deepEqual(parseArcEnv(PRINTED, 'staging'), {})
  t.end()
})

test('first setup of staging: reads, then sets a new secret, the idle limit and cookie mode', async t => {
  let r = recorder()
  t.equal(await setupEnv([ 'staging' ], r.arcEnv, r.say), 0)
  t.deepEqual(r.calls[0], [], 'first reads the current values with `npx arc env`')
  let secret = r.calls[1][4]
  t.deepEqual(r.calls.slice(1), [
    [ '-e', 'staging', '-a', 'ARC_APP_SECRET', secret ],
    [ '-e', 'staging', '-a', 'ARC_SESSION_TTL', '604800' ],
    [ '-e', 'staging', '-a', 'ARC_SESSION_TABLE_NAME', 'jwe' ],
  ])
  t.match(secret, /^[A-Za-z0-9+/]{64}$/, 'the secret is 48 random bytes in base64')
  t.ok(r.log.includes('npx arc env -e staging -a ARC_APP_SECRET <new secret, not shown>'), 'each command is printed before it runs')
  t.notOk(r.log.join('\n').includes(secret), 'the secret itself is never printed')
})

test('--table picks table mode', async t => {
  let r = recorder()
  await setupEnv([ 'staging', '--table' ], r.arcEnv, r.say)
  t.deepEqual(r.calls.at(-1), [ '-e', 'staging', '-a', 'ARC_SESSION_TABLE_NAME', 'session' ])
})

test('refuses to replace an existing secret without --rotate', async t => {
  let r = recorder()
  t.equal(await setupEnv([ 'production', '--table' ], r.arcEnv, r.say), 1)
  t.deepEqual(r.calls, [ [] ], 'only read, nothing written')
  t.match(r.log.join('\n'), /already has an ARC_APP_SECRET.*\n.*npm run setup:env -- production --rotate/)
})

test('--rotate moves the current secret to ARC_APP_SECRET_PREVIOUS first, without printing either', async t => {
  let r = recorder()
  t.equal(await setupEnv([ 'production', '--table', '--rotate' ], r.arcEnv, r.say), 0)
  t.deepEqual(r.calls[1], [ '-e', 'production', '-a', 'ARC_APP_SECRET_PREVIOUS', OLD ])
  t.equal(r.calls[2][3], 'ARC_APP_SECRET')
  t.notEqual(r.calls[2][4], OLD, 'a new secret')
  t.notOk(r.log.join('\n').includes(OLD), 'the old secret is not printed')
  t.match(r.log.at(-1) ?? '', /npx arc deploy --production/)
})

test('--rotate alone keeps the stage\'s mode and its idle limit: switching modes would sign everyone out', async t => {
  let r = recorder(PRINTED.replace('ARC_SESSION_TABLE_NAME session', 'ARC_SESSION_TABLE_NAME session\n  | ARC_SESSION_TTL 1800'))
  t.equal(await setupEnv([ 'production', '--rotate' ], r.arcEnv, r.say), 0)
  t.deepEqual(r.calls.slice(1).map(args => args[3]), [ 'ARC_APP_SECRET_PREVIOUS', 'ARC_APP_SECRET' ], 'only the two secrets are written')
  t.ok(r.log.includes('production stays in table mode (ARC_SESSION_TABLE_NAME session)'), 'and it says so')
})

test('--cookie switches a table-mode stage to cookie mode, when asked', async t => {
  let r = recorder()
  await setupEnv([ 'production', '--cookie', '--rotate' ], r.arcEnv, r.say)
  t.deepEqual(r.calls.at(-1), [ '-e', 'production', '-a', 'ARC_SESSION_TABLE_NAME', 'jwe' ])
})

test('anything else prints the usage', async t => {
  for (let argv of [ [], [ 'prod' ], [ 'staging', '--force' ], [ 'staging', '--table', '--cookie' ] ]) {
    let r = recorder()
    t.equal(await setupEnv(argv, r.arcEnv, r.say), 2, JSON.stringify(argv))
    t.match(r.log[0], /^Usage: npm run setup:env -- <staging\|production> \[--table \| --cookie\] \[--rotate\]/)
    t.deepEqual(r.calls, [], 'and calls nothing')
  }
})
