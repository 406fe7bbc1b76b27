// npm test: every check, in three lanes that run side by side. Most of the time goes into
// Sandbox, which starts a Node.js process for every request, so one lane of integration tests
// keeps one of this machine's cores busy (measured: 0.96 cores): each mode has a lane, and the two
// keep both cores busy. A third lane runs the test files that mostly wait, so that no core sits
// idle while they do: in table mode, on a DynamoDB made slow or broken on purpose (about 30 s),
// and on the npm registry (drop-in.test.ts, which checks both modes itself). In cookie mode the
// files that wait on DynamoDB never call it, so they stay in its lane. Work that keeps a core busy
// gains nothing in a third lane: the two slowest unit files and the linter there slowed the other
// lanes as much as they saved (165 s, against 160 and 165 without them; docs/testing.md).
//
// Each lane runs its steps in order and stops at the first that fails; the other lanes are then
// stopped too. A step's output is printed whole when it ends, so the lanes never interleave.
// Every lane but cookie mode's runs Sandbox in a copy of the project made of symlinks
// (TEST_APP_DIR, test/helpers/sandbox.ts): Sandbox compiles the app into the project's `.build`,
// and two Sandboxes compiling into one would serve each other's half-written files.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const root = new URL('..', import.meta.url).pathname

interface Step {
  name: string
  command: string
  /** Variables on top of this process's */
  env?: Record<string, string>
}
interface Lane {
  name: string
  steps: Step[]
}

/** A copy of the project for a second Sandbox: a symlink to every entry but the build */
function copyOfProject (): string {
  let dir = mkdtempSync(join(tmpdir(), 'arc-sessions-table-'))
  for (let entry of readdirSync(root)) {
    if (entry !== '.build') symlinkSync(join(root, entry), join(dir, entry))
  }
  return dir
}

const bin = (name: string) => join(root, 'node_modules/.bin', name)
const tape = (files: string, ignore?: string) => `${bin('tape')} '${files}'${ignore ? ` --ignore-pattern '${ignore}'` : ''} | ${bin('tap-spec')}`
const WAITING = 'test/integration/{deadlines,faults,logs,drop-in}.test.ts'

// The unit tests build the app into the project's `.build` too (verify-deploy.test.ts runs the
// whole deploy check, npm run verify:deploy), so they run in cookie mode's lane, before its
// Sandbox starts; the checks that build nothing go in the other
let copy = copyOfProject()
let waitingCopy = copyOfProject()
const lanes: Lane[] = [
  {
    name: 'cookie mode',
    steps: [
      { name: 'unit tests', command: tape('test/unit/**/*.test.ts') },
      { name: 'integration tests', command: tape('test/integration/**/*.test.ts', 'test/integration/drop-in.test.ts'), env: { ARC_SESSION_TABLE_NAME: 'jwe' } },
      { name: 'browser tests', command: 'node scripts/e2e.ts --if-browser --mode=cookie' },
    ],
  },
  {
    name: 'table mode',
    steps: [
      { name: 'type check', command: `${bin('tsc')} --noEmit -p .` },
      { name: 'lint', command: `${bin('eslint')} .` },
      { name: 'integration tests', command: tape('test/integration/**/*.test.ts', WAITING), env: { ARC_SESSION_TABLE_NAME: 'session', TEST_APP_DIR: copy } },
      { name: 'browser tests', command: 'node scripts/e2e.ts --if-browser --mode=table', env: { TEST_APP_DIR: copy } },
    ],
  },
  {
    name: 'third lane',
    steps: [
      { name: 'integration tests that wait', command: tape(WAITING), env: { ARC_SESSION_TABLE_NAME: 'session', TEST_APP_DIR: waitingCopy } },
    ],
  },
]

let running = new Set<ChildProcess>()
let failed = false

/** Runs one step, its output kept until it ends: whether it passed */
function run (lane: Lane, step: Step): Promise<boolean> {
  return new Promise(resolve => {
    let started = performance.now()
    // Its own process group, so that stopping it stops the Sandbox and browsers it started
    let child = spawn(step.command, { cwd: root, shell: true, detached: true, env: { ...process.env, ...step.env } })
    running.add(child)
    let output: Buffer[] = []
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk))
    child.on('close', code => {
      running.delete(child)
      let seconds = ((performance.now() - started) / 1000).toFixed(0)
      if (failed && code !== 0) return resolve(false) // stopped because the other lane failed
      process.stdout.write(`\n── ${lane.name}: ${step.name} (${step.command}) ──\n`)
      process.stdout.write(Buffer.concat(output))
      process.stdout.write(`── ${lane.name}: ${step.name} ${code === 0 ? 'passed' : 'FAILED'} in ${seconds} s ──\n`)
      resolve(code === 0)
    })
  })
}

async function runLane (lane: Lane) {
  for (let step of lane.steps) {
    if (failed) return
    if (!await run(lane, step)) {
      failed = true
      for (let child of running) process.kill(-Number(child.pid), 'SIGTERM')
      return
    }
  }
}

let started = performance.now()
try {
  await Promise.all(lanes.map(runLane))
}
finally {
  for (let dir of [ copy, waitingCopy ]) rmSync(dir, { recursive: true, force: true })
}
console.log(`\nnpm test ${failed ? 'FAILED' : 'passed'} in ${((performance.now() - started) / 1000).toFixed(0)} s`)
process.exitCode = failed ? 1 : 0
