// npm run setup:env. The logic runs against stage variables held in memory; the script itself runs
// end to end against a stand-in for SSM (AWS is the one thing faked), read back by Architect's own
// reader and by `npx arc env`.
import test from 'tape'
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import inventory from '@architect/inventory'
import { reason, setupEnv } from '../../scripts/lib/setup-env.ts'
import { modeConflict } from '../../src/shared/session/config.ts'
import { secretProblem } from '../../src/shared/session/secrets.ts'
import type { Stage, StageVariables } from '../../scripts/lib/stage-variables.ts'
import { fakeSsm } from '../helpers/fake-ssm.ts'
import { randomSecret } from '../helpers/secrets.ts'

const root = new URL('../..', import.meta.url).pathname

/** Runs a command to its end with nothing on its stdin (npx arc env asks a question there) */
function run (command: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    let child = spawn(command, args, { cwd: root, env, stdio: [ 'ignore', 'pipe', 'pipe' ] })
    let output = ''
    child.stdout.on('data', chunk => { output += String(chunk) })
    child.stderr.on('data', chunk => { output += String(chunk) })
    child.on('close', code => code === 0 ? resolve(output) : reject(new Error(`${command} exited with ${code}:\n${output}`)))
  })
}
const OLD = randomSecret()

/**
 * Stage variables in memory, recording every change. `failing` makes reads throw, or writes:
 * `{ writesAfter: n }` lets n writes through, then fails every other one.
 */
function inMemory (stages: Partial<Record<Stage, Record<string, string>>>, failing: 'read' | 'write' | { writesAfter: number } | null = null) {
  let changes: string[] = []
  let log: string[] = []
  let writesLeft = failing === 'write' ? 0 : typeof failing === 'object' && failing ? failing.writesAfter : Infinity
  let write = () => {
    if (writesLeft-- <= 0) throw new Error('AccessDenied')
  }
  let variables: StageVariables = {
    async read (stage) {
      if (failing === 'read') throw new Error('no credentials')
      return { ...stages[stage] }
    },
    async set (stage, name, value) {
      write()
      changes.push(`set ${name}`)
      stages[stage] = { ...stages[stage], [name]: value }
    },
    async remove (stage, name) {
      write()
      changes.push(`remove ${name}`)
      let { [name]: _, ...rest } = stages[stage] ?? {}
      stages[stage] = rest
    },
  }
  return { stages, changes, log, variables: async () => variables, say: (line: string) => { log.push(line) } }
}

test('first setup of staging: a new secret, the idle limit and cookie mode', async t => {
  let r = inMemory({})
  t.equal(await setupEnv([ 'staging' ], r.variables, r.say), 0, 'setting up staging succeeds')
  t.deepEqual(r.changes, [ 'set ARC_SESSION_TABLE_NAME', 'set ARC_SESSION_TTL', 'set ARC_APP_SECRET' ], 'the secret last, so a failure before it leaves nothing to undo')
  let secret = String(r.stages.staging?.ARC_APP_SECRET)
  t.match(secret, /^[A-Za-z0-9+/]{64}$/, 'the secret is 48 random bytes in base64')
  t.deepEqual([ r.stages.staging?.ARC_SESSION_TTL, r.stages.staging?.ARC_SESSION_TABLE_NAME ], [ '604800', 'jwe' ], 'staging gets a week-long idle limit and cookie mode')
  t.ok(r.log.includes('set ARC_APP_SECRET <a new secret, not shown> in staging'), 'each change is printed before it is made')
  t.notOk(r.log.join('\n').includes(secret), 'the secret itself is never printed')
})

test('--table picks table mode', async t => {
  let r = inMemory({})
  await setupEnv([ 'staging', '--table' ], r.variables, r.say)
  t.equal(r.stages.staging?.ARC_SESSION_TABLE_NAME, 'session', '--table puts staging in table mode')
})

test('without --rotate, an existing secret is kept and the rest is done', async t => {
  let r = inMemory({ production: { ARC_APP_SECRET: OLD, SESSION_TABLE_NAME: 'session' } })
  t.equal(await setupEnv([ 'production', '--table' ], r.variables, r.say), 0, 'setting up production in table mode succeeds')
  t.deepEqual(r.changes, [ 'set ARC_SESSION_TABLE_NAME', 'remove SESSION_TABLE_NAME', 'set ARC_SESSION_TTL' ], 'the mode and the idle limit, not the secret')
  t.equal(r.stages.production?.ARC_APP_SECRET, OLD, 'the secret is kept')
  t.match(r.log.join('\n'), /production keeps its ARC_APP_SECRET\. To change it: npm run setup:env -- production --rotate .*--replace after a leak/, 'and says production keeps its secret, with the command that changes it')
  let again = inMemory({ production: { ...r.stages.production } })
  t.equal(await setupEnv([ 'production', '--table' ], again.variables, again.say), 0, 'run again')
  t.deepEqual(again.changes, [], 'it has nothing left to change')
  t.ok(again.log.includes('production already has everything it needs; nothing was changed'), 'a second run changes nothing, and says so')
})

test('--origin sets PASSKEY_ORIGIN, judged as the passkey routes judge it; without one, it says what to run after the first deploy', async t => {
  let r = inMemory({})
  t.equal(await setupEnv([ 'staging' ], r.variables, r.say), 0, 'setting up staging succeeds')
  t.match(r.log.join('\n'), /staging has no PASSKEY_ORIGIN yet, so its passkey routes will not start \(the rest of the app will\)\. Deploy, then run: npm run setup:env -- staging --origin=/, 'no origin yet: what to run, and when')
  let origin = inMemory({ staging: { ...r.stages.staging } })
  t.equal(await setupEnv([ 'staging', '--origin=https://abc123.execute-api.us-west-2.amazonaws.com' ], origin.variables, origin.say), 0, 'setting up staging with --origin succeeds')
  t.deepEqual(origin.changes, [ 'set PASSKEY_ORIGIN' ], 'only the origin changes')
  t.equal(origin.stages.staging?.PASSKEY_ORIGIN, 'https://abc123.execute-api.us-west-2.amazonaws.com', 'and stores the origin as PASSKEY_ORIGIN')
  t.doesNotMatch(origin.log.join('\n'), /no PASSKEY_ORIGIN/, 'and the note is gone')
  for (let bad of [ 'http://app.example.com', 'https://app.example.com/', 'app.example.com', '' ]) {
    let refused = inMemory({})
    t.equal(await setupEnv([ 'staging', `--origin=${bad}` ], refused.variables, refused.say), 2, `--origin=${bad}: refused`)
    t.deepEqual(refused.changes, [], 'nothing changed')
  }
})

test('--rotate refuses to keep a secret the wrapper would refuse; --replace replaces it without keeping it', async t => {
  let weak = [ 'dev-only-secret-do-not-use-in-production-0123456789', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'short' ]
  for (let secret of weak) {
    let r = inMemory({ production: { ARC_APP_SECRET: secret, ARC_SESSION_TABLE_NAME: 'session' } })
    t.equal(await setupEnv([ 'production', '--rotate' ], r.variables, r.say), 1, `${secret.slice(0, 12)}…: refused`)
    t.deepEqual(r.changes, [], 'nothing written')
    t.match(r.log.join('\n'), /ARC_APP_SECRET would be refused \(.+\), so it cannot be kept as ARC_APP_SECRET_PREVIOUS; nothing was changed\.\nReplace it without keeping it \(everyone is signed out\): npm run setup:env -- production --replace/, 'a refused secret cannot become the previous one, and it says why')
    let plain = inMemory({ production: { ARC_APP_SECRET: secret } })
    t.equal(await setupEnv([ 'production' ], plain.variables, plain.say), 1, 'without --rotate it is not kept either')

    let replaced = inMemory({ production: { ARC_APP_SECRET: secret, ARC_APP_SECRET_PREVIOUS: OLD, ARC_SESSION_TABLE_NAME: 'session' } })
    t.equal(await setupEnv([ 'production', '--replace' ], replaced.variables, replaced.say), 0, '--replace goes ahead')
    t.deepEqual(replaced.changes, [ 'set ARC_SESSION_TTL', 'remove ARC_APP_SECRET_PREVIOUS', 'set ARC_APP_SECRET' ], 'the changes, in the order made: the new secret last')
    let after = replaced.stages.production ?? {}
    t.equal(after.ARC_APP_SECRET_PREVIOUS, undefined, 'no old secret is kept')
    t.equal(secretProblem(after.ARC_APP_SECRET), null, 'and the new one is one the wrapper accepts')
  }
  let a128 = inMemory({ production: { ARC_APP_SECRET: randomBytes(32).toString('hex'), ARC_APP_SECRET_ALGO: 'A128GCM' } })
  t.equal(await setupEnv([ 'production', '--rotate' ], a128.variables, a128.say), 1, 'judged as the stage\'s algorithm keys it: 16 hex characters are 64 bits')
})

test('--end-rotation removes ARC_APP_SECRET_PREVIOUS and nothing else', async t => {
  let r = inMemory({ production: { ARC_APP_SECRET: OLD, ARC_APP_SECRET_PREVIOUS: randomSecret(), ARC_SESSION_TABLE_NAME: 'jwe', ARC_SESSION_TTL: '604800' } })
  t.equal(await setupEnv([ 'production', '--end-rotation' ], r.variables, r.say), 0, '--end-rotation succeeds')
  t.deepEqual(r.changes, [ 'remove ARC_APP_SECRET_PREVIOUS' ], 'and only removes the previous secret')
  t.equal(r.stages.production?.ARC_APP_SECRET, OLD, 'keeping the current one')
})

test('a failure after any number of changes leaves a stage that runs, and the same command finishes the job', async t => {
  let starts: [string[], Record<string, string>][] = [
    [ [ 'production', '--table' ], {} ],
    [ [ 'production', '--table', '--origin=https://app.example.com' ], {} ],
    [ [ 'production', '--table', '--rotate' ], { ARC_APP_SECRET: OLD, ARC_SESSION_TABLE_NAME: 'jwe', SESSION_TABLE_NAME: 'jwe' } ],
    [ [ 'production', '--table' ], { ARC_APP_SECRET: OLD, SESSION_TABLE_NAME: 'jwe' } ],
    [ [ 'production', '--cookie', '--replace' ], { ARC_APP_SECRET: OLD, ARC_APP_SECRET_PREVIOUS: randomSecret(), SESSION_TABLE_NAME: 'session', ARC_SESSION_TABLE_NAME: 'session' } ],
  ]
  for (let [ argv, start ] of starts) {
    let whole = inMemory({ production: { ...start } })
    await setupEnv(argv, whole.variables, whole.say)
    for (let writes = 0; writes < whole.changes.length; writes++) {
      let r = inMemory({ production: { ...start } }, { writesAfter: writes })
      t.equal(await setupEnv(argv, r.variables, r.say), 1, `${argv.join(' ')}: fails after ${writes} of ${whole.changes.length}`)
      let stopped = r.stages.production ?? {}
      t.equal(modeConflict(stopped, 'production'), null, 'the mode variables agree')
      let previous = stopped.ARC_APP_SECRET_PREVIOUS
      t.ok(!previous || previous === start.ARC_APP_SECRET_PREVIOUS || previous === stopped.ARC_APP_SECRET, 'no secret is lost while it may still open sessions')
      t.match(r.log.at(-1) ?? '', new RegExp(`Run the same command again to finish: npm run setup:env -- ${argv.join(' ')}$`), 'a failure part way says to run the same command again')
      let again = inMemory({ production: { ...stopped } })
      t.equal(await setupEnv(argv, again.variables, again.say), 0, 'the same command again succeeds')
      let finished = again.stages.production ?? {}
      let { ARC_APP_SECRET: _, ...rest } = finished
      let { ARC_APP_SECRET: __, ...expected } = whole.stages.production ?? {}
      t.deepEqual(rest, { ...expected, ...(expected.ARC_APP_SECRET_PREVIOUS ? { ARC_APP_SECRET_PREVIOUS: start.ARC_APP_SECRET } : {}) }, 'and leaves what one run would have')
    }
  }
})

test('--rotate moves the current secret to ARC_APP_SECRET_PREVIOUS first, without printing either', async t => {
  let r = inMemory({ production: { ARC_APP_SECRET: OLD, ARC_SESSION_TABLE_NAME: 'session', ARC_SESSION_TTL: '1800' } })
  t.equal(await setupEnv([ 'production', '--rotate' ], r.variables, r.say), 0, '--rotate succeeds')
  t.deepEqual(r.changes, [ 'set ARC_APP_SECRET_PREVIOUS', 'set ARC_APP_SECRET' ], 'only the two secrets: the mode and the idle limit are kept')
  t.equal(r.stages.production?.ARC_APP_SECRET_PREVIOUS, OLD, 'the old secret becomes the previous one')
  t.notEqual(r.stages.production?.ARC_APP_SECRET, OLD, 'a new secret')
  t.notOk(r.log.join('\n').includes(OLD), 'the old secret is not printed')
  t.ok(r.log.includes('production stays in table mode'), 'and it says which mode it kept')
  t.match(r.log.at(-1) ?? '', /npx arc deploy --production/, 'and it says to deploy production next')
})

test('--cookie switches a table-mode stage to cookie mode, when asked', async t => {
  let r = inMemory({ production: { ARC_APP_SECRET: OLD, ARC_SESSION_TABLE_NAME: 'session' } })
  await setupEnv([ 'production', '--cookie', '--rotate' ], r.variables, r.say)
  t.equal(r.stages.production?.ARC_SESSION_TABLE_NAME, 'jwe', 'the stage\'s mode is kept')
})

test('setting the mode removes the guide\'s SESSION_TABLE_NAME, so the two can never disagree', async t => {
  let r = inMemory({ production: { SESSION_TABLE_NAME: 'jwe' } })
  t.equal(await setupEnv([ 'production', '--table' ], r.variables, r.say), 0, '--table succeeds')
  t.deepEqual(r.stages.production, { ARC_APP_SECRET: r.stages.production?.ARC_APP_SECRET, ARC_SESSION_TTL: '604800', ARC_SESSION_TABLE_NAME: 'session' }, 'production holds exactly the table mode variables')
  t.ok(r.changes.includes('remove SESSION_TABLE_NAME'), 'the old SESSION_TABLE_NAME is removed')
})

test('when the two mode variables disagree, it changes nothing unless told which mode', async t => {
  let r = inMemory({ production: { ARC_APP_SECRET: OLD, ARC_SESSION_TABLE_NAME: 'session', SESSION_TABLE_NAME: 'jwe' } })
  t.equal(await setupEnv([ 'production', '--rotate' ], r.variables, r.say), 1, '--rotate with conflicting mode variables fails')
  t.deepEqual(r.changes, [], 'nothing written')
  t.match(r.log.join('\n'), /Cannot tell which mode production is meant to be in.*\nNothing was changed\. Say which with --table or --cookie/, 'and says it cannot tell the mode, and that nothing was changed')
  t.equal(await setupEnv([ 'production', '--rotate', '--table' ], r.variables, r.say), 0, 'told, it goes ahead')
  t.equal(r.stages.production?.SESSION_TABLE_NAME, undefined, 'and the stale variable is gone')
})

test('when it cannot read the stage, or a write fails, it says so and stops', async t => {
  let unreadable = inMemory({}, 'read')
  t.equal(await setupEnv([ 'staging' ], unreadable.variables, unreadable.say), 1, 'unreadable variables: the command fails')
  t.match(unreadable.log.join('\n'), /Could not read staging's variables \(no credentials\); nothing was changed/, 'and says nothing was changed')
  let unwritable = inMemory({}, 'write')
  t.equal(await setupEnv([ 'staging' ], unwritable.variables, unwritable.say), 1, 'unwritable variables: the command fails')
  t.match(unwritable.log.at(-1) ?? '', /That failed \(AccessDenied\) after 0 of 3 changes/, 'and says how many changes were made before the failure')
  let imds = { statusCode: 403, headers: {}, error: Buffer.from('resolve_deny: denied destination'), metadata: { service: 'IMDSv2 token API' } }
  t.equal(reason(imds), 'IMDSv2 token API answered 403: resolve_deny: denied destination', 'aws-lite\'s plain-object errors are told in words, not [object Object]')
  t.equal(reason(new ReferenceError('Unable to find AWS credentials')), 'Unable to find AWS credentials', 'the reason is the error\'s message')
})

test('anything else prints the usage and touches nothing', async t => {
  for (let argv of [ [], [ 'prod' ], [ 'staging', '--force' ], [ 'staging', '--table', '--cookie' ], [ 'staging', '--rotate', '--replace' ] ]) {
    let r = inMemory({}, 'read')
    t.equal(await setupEnv(argv, r.variables, r.say), 2, JSON.stringify(argv))
    t.match(r.log[0], /^Usage: npm run setup:env -- <staging\|production> \[--table \| --cookie\] \[--rotate \| --replace \| --end-rotation\]/, 'a bad argument prints the usage')
  }
})

// ---- The script, end to end -------------------------------------------------------------------

test('npm run setup:env against SSM: arc deploy\'s reader and npx arc env both see the result, and prefs.arc is left alone', async t => {
  let prefs = readFileSync(`${root}prefs.arc`, 'utf8')
  let ssm = await fakeSsm({ '/arc-sessions/production/SESSION_TABLE_NAME': 'jwe', '/arc-sessions/staging/ARC_APP_SECRET': OLD })
  let env = { ...process.env, ...ssm.env }
  try {
    let stdout = await run(process.execPath, [ 'scripts/setup-env.ts', 'production', '--table' ], env)
    t.match(stdout, /Done\. Deploy with: npx arc deploy --production/, 'it finishes')
    t.equal(readFileSync(`${root}prefs.arc`, 'utf8'), prefs, 'prefs.arc is as it was (npx arc env would have written every stage\'s secrets into it)')

    Object.assign(process.env, ssm.env)
    let { inv } = await inventory({ cwd: root, env: true })
    let production = inv._project.env.aws?.production ?? {}
    t.deepEqual(Object.keys(production).sort(), [ 'ARC_APP_SECRET', 'ARC_SESSION_TABLE_NAME', 'ARC_SESSION_TTL' ], 'the variables arc deploy would read')
    t.equal(production.ARC_SESSION_TABLE_NAME, 'session', 'table mode, and no SESSION_TABLE_NAME left to contradict it')
    t.equal(inv._project.env.aws?.staging?.ARC_APP_SECRET, OLD, 'staging is untouched')

    let listed = await run('npx', [ 'arc', 'env' ], env)
    t.match(listed, /ARC_SESSION_TABLE_NAME session/, 'npx arc env lists what it wrote')
    writeFileSync(`${root}prefs.arc`, prefs) // which npx arc env itself just rewrote
    t.notOk(stdout.includes(String(production.ARC_APP_SECRET)), 'the script never printed the secret')
  }
  finally {
    for (let name of Object.keys(ssm.env)) delete process.env[name]
    await ssm.close()
    writeFileSync(`${root}prefs.arc`, prefs)
  }
})
