// Starts Sandbox (HTTP and in-memory DynamoDB on free ports) for the test files, in the mode the
// npm script chose with ARC_SESSION_TABLE_NAME (jwe = cookie mode, session = table mode).
import sandbox from '@architect/sandbox'
import inventory from '@architect/inventory'
import test, { type Test } from 'tape'
import type { Handler } from './lambda.ts'
import type { Route } from './warm-lambda.ts'
import { modeOf } from '../../src/shared/session/config.ts'

/** The repository, whose files the tests read */
export const root = new URL('../..', import.meta.url).pathname
/**
 * Where Sandbox runs the app and builds it (`.build`): the repository, or under `npm test` the
 * copy of it that table mode's lane runs in (scripts/test.ts), so that the two modes' Sandboxes run
 * side by side and never compile into one `.build`
 */
export const appDir = process.env.TEST_APP_DIR ? `${process.env.TEST_APP_DIR.replace(/\/$/, '')}/` : root
export const mode = modeOf(process.env)
export { base, ports } from './ports.ts'

/** The dev-only secret from prefs.arc, so tests can make cookies the app must accept */
export async function devSecret (): Promise<string> {
  let { inv } = await inventory({ cwd: root })
  return String(inv._project.env.local?.testing?.ARC_APP_SECRET)
}

/** The `@env testing` block of prefs.arc, which Sandbox gives every Lambda */
async function testingEnv (): Promise<Record<string, string>> {
  let { inv } = await inventory({ cwd: root })
  return Object.fromEntries(Object.entries(inv._project.env.local?.testing ?? {}).map(([ name, value ]) => [ name, String(value) ]))
}

/**
 * Imports a route's handler into this process, as a warm Lambda holds it. The handlers read
 * their settings on first import, so this sets the environment Sandbox would give them first.
 */
export async function inProcess (route: Route): Promise<Handler> {
  process.env.ARC_ENV = 'testing'
  process.env.ARC_APP_SECRET = await devSecret()
  let module = await import(`../../src/http/${route}/index.ts`) as { handler: Handler }
  return module.handler
}

// One Sandbox for every test file that wants the same settings: starting one costs seconds (the
// TypeScript plugin compiles every handler first), and tape runs all the files in one process.
// A file that asks for other settings (`env`) gets a Sandbox of its own, and the next file that
// asks for the usual one starts that again. Each file's data is its own anyway: its names, ids
// and accounts are unique, so no file reads another's rows.
let running: string | null = null

/**
 * Starts Sandbox, or keeps the one running if it has these settings; `env` replaces the
 * `@env testing` block of prefs.arc wholesale, as Sandbox does. Under mutation testing (npm run
 * test:mutation) the Lambdas also get the mutant to activate.
 */
export async function start (t: Test, env?: Record<string, string>) {
  // `arc.tables()` in this process looks up the app's tables through Sandbox by app name
  process.env.ARC_APP_NAME = 'arc-sessions'
  // Sandbox's DynamoDB takes any credentials, but the client refuses to run without some
  process.env.AWS_ACCESS_KEY_ID ??= 'sandbox'
  process.env.AWS_SECRET_ACCESS_KEY ??= 'sandbox'
  process.env.AWS_REGION ??= 'us-west-2'
  let mutant = process.env.__STRYKER_ACTIVE_MUTANT__
  if (mutant) env = { ...(env ?? await testingEnv()), __STRYKER_ACTIVE_MUTANT__: mutant }
  let settings = JSON.stringify(env ?? null)
  if (running === settings) return t.pass(`Sandbox already running in ${mode} mode, with these settings`)
  await stopSandbox()
  t.ok(await sandbox.start({ cwd: appDir, quiet: true, env }), `Sandbox started in ${mode} mode`)
  running = settings
  // A test added now runs after every test the files have added: the last one of the run ends
  // Sandbox, so the process can exit (tape only closes once it has)
  if (!lastTestAdded) {
    lastTestAdded = true
    test('end Sandbox, after the last test file', async t => {
      await stopSandbox()
      t.pass('Sandbox ended')
    })
  }
}
let lastTestAdded = false

/** A file is done with Sandbox: it stays up for the next file, and ends when every test has run */
export async function end (t: Test) {
  t.ok(running !== null, 'Sandbox left running for the next test file')
}

/** Ends the Sandbox that is running, if one is: for a test that starts one of its own elsewhere */
export async function stopSandbox () {
  if (running === null) return
  running = null
  await sandbox.end()
}
