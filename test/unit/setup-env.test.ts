// npm run setup:env. The logic runs against stage variables held in memory; the script itself runs
// end to end against a stand-in for SSM (AWS is the one thing faked), read back by Architect's own
// reader and by `npx arc env`.
import test from 'tape'
import { spawn } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import inventory from '@architect/inventory'
import { setupEnv } from '../../scripts/lib/setup-env.ts'
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

/** Stage variables in memory, recording every change; `failing` makes reads or writes throw */
function inMemory (stages: Partial<Record<Stage, Record<string, string>>>, failing: 'read' | 'write' | null = null) {
  let changes: string[] = []
  let log: string[] = []
  let variables: StageVariables = {
    async read (stage) {
      if (failing === 'read') throw new Error('no credentials')
      return { ...stages[stage] }
    },
    async set (stage, name, value) {
      if (failing === 'write') throw new Error('AccessDenied')
      changes.push(`set ${name}`)
      stages[stage] = { ...stages[stage], [name]: value }
    },
    async remove (stage, name) {
      changes.push(`remove ${name}`)
      let { [name]: _, ...rest } = stages[stage] ?? {}
      stages[stage] = rest
    },
  }
  return { stages, changes, log, variables: async () => variables, say: (line: string) => { log.push(line) } }
}

test('first setup of staging: a new secret, the idle limit and cookie mode', async t => {
  let r = inMemory({})
  t.equal(await setupEnv([ 'staging' ], r.variables, r.say), 0)
  t.deepEqual(r.changes, [ 'set ARC_APP_SECRET', 'set ARC_SESSION_TTL', 'set ARC_SESSION_TABLE_NAME' ])
  let secret = String(r.stages.staging?.ARC_APP_SECRET)
  t.match(secret, /^[A-Za-z0-9+/]{64}$/, 'the secret is 48 random bytes in base64')
  t.deepEqual([ r.stages.staging?.ARC_SESSION_TTL, r.stages.staging?.ARC_SESSION_TABLE_NAME ], [ '604800', 'jwe' ])
  t.ok(r.log.includes('set ARC_APP_SECRET <a new secret, not shown> in staging'), 'each change is printed before it is made')
  t.notOk(r.log.join('\n').includes(secret), 'the secret itself is never printed')
})

test('--table picks table mode', async t => {
  let r = inMemory({})
  await setupEnv([ 'staging', '--table' ], r.variables, r.say)
  t.equal(r.stages.staging?.ARC_SESSION_TABLE_NAME, 'session')
})

test('refuses to replace an existing secret without --rotate', async t => {
  let r = inMemory({ production: { ARC_APP_SECRET: OLD, ARC_SESSION_TABLE_NAME: 'session' } })
  t.equal(await setupEnv([ 'production', '--table' ], r.variables, r.say), 1)
  t.deepEqual(r.changes, [], 'nothing written')
  t.match(r.log.join('\n'), /already has an ARC_APP_SECRET.*\n.*npm run setup:env -- production --rotate/)
})

test('--rotate moves the current secret to ARC_APP_SECRET_PREVIOUS first, without printing either', async t => {
  let r = inMemory({ production: { ARC_APP_SECRET: OLD, ARC_SESSION_TABLE_NAME: 'session', ARC_SESSION_TTL: '1800' } })
  t.equal(await setupEnv([ 'production', '--rotate' ], r.variables, r.say), 0)
  t.deepEqual(r.changes, [ 'set ARC_APP_SECRET_PREVIOUS', 'set ARC_APP_SECRET' ], 'only the two secrets: the mode and the idle limit are kept')
  t.equal(r.stages.production?.ARC_APP_SECRET_PREVIOUS, OLD)
  t.notEqual(r.stages.production?.ARC_APP_SECRET, OLD, 'a new secret')
  t.notOk(r.log.join('\n').includes(OLD), 'the old secret is not printed')
  t.ok(r.log.includes('production stays in table mode'), 'and it says which mode it kept')
  t.match(r.log.at(-1) ?? '', /npx arc deploy --production/)
})

test('--cookie switches a table-mode stage to cookie mode, when asked', async t => {
  let r = inMemory({ production: { ARC_APP_SECRET: OLD, ARC_SESSION_TABLE_NAME: 'session' } })
  await setupEnv([ 'production', '--cookie', '--rotate' ], r.variables, r.say)
  t.equal(r.stages.production?.ARC_SESSION_TABLE_NAME, 'jwe')
})

test('setting the mode removes the guide\'s SESSION_TABLE_NAME, so the two can never disagree', async t => {
  let r = inMemory({ production: { SESSION_TABLE_NAME: 'jwe' } })
  t.equal(await setupEnv([ 'production', '--table' ], r.variables, r.say), 0)
  t.deepEqual(r.stages.production, { ARC_APP_SECRET: r.stages.production?.ARC_APP_SECRET, ARC_SESSION_TTL: '604800', ARC_SESSION_TABLE_NAME: 'session' })
  t.ok(r.changes.includes('remove SESSION_TABLE_NAME'))
})

test('when the two mode variables disagree, it changes nothing unless told which mode', async t => {
  let r = inMemory({ production: { ARC_APP_SECRET: OLD, ARC_SESSION_TABLE_NAME: 'session', SESSION_TABLE_NAME: 'jwe' } })
  t.equal(await setupEnv([ 'production', '--rotate' ], r.variables, r.say), 1)
  t.deepEqual(r.changes, [], 'nothing written')
  t.match(r.log.join('\n'), /Cannot tell which mode production is meant to be in.*\nNothing was changed\. Say which with --table or --cookie/)
  t.equal(await setupEnv([ 'production', '--rotate', '--table' ], r.variables, r.say), 0, 'told, it goes ahead')
  t.equal(r.stages.production?.SESSION_TABLE_NAME, undefined, 'and the stale variable is gone')
})

test('when it cannot read the stage, or a write fails, it says so and stops', async t => {
  let unreadable = inMemory({}, 'read')
  t.equal(await setupEnv([ 'staging' ], unreadable.variables, unreadable.say), 1)
  t.match(unreadable.log.join('\n'), /Could not read staging's variables \(no credentials\); nothing was changed/)
  let unwritable = inMemory({}, 'write')
  t.equal(await setupEnv([ 'staging' ], unwritable.variables, unwritable.say), 1)
  t.match(unwritable.log.at(-1) ?? '', /That failed \(AccessDenied\) after 0 of 3 changes/)
})

test('anything else prints the usage and touches nothing', async t => {
  for (let argv of [ [], [ 'prod' ], [ 'staging', '--force' ], [ 'staging', '--table', '--cookie' ] ]) {
    let r = inMemory({}, 'read')
    t.equal(await setupEnv(argv, r.variables, r.say), 2, JSON.stringify(argv))
    t.match(r.log[0], /^Usage: npm run setup:env -- <staging\|production> \[--table \| --cookie\] \[--rotate\]/)
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
