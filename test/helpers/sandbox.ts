// Starts Sandbox (HTTP and in-memory DynamoDB on free ports) for one test file, in the mode the
// npm script chose with ARC_SESSION_TABLE_NAME (jwe = cookie mode, session = table mode).
import sandbox from '@architect/sandbox'
import inventory from '@architect/inventory'
import type { Test } from 'tape'
import type { Handler } from './lambda.ts'
import type { Route } from './warm-lambda.ts'
import { modeOf } from '../../src/shared/session/config.ts'

export const root = new URL('../..', import.meta.url).pathname
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
 * Starts Sandbox; `env` replaces the `@env testing` block of prefs.arc wholesale, as Sandbox does.
 * Under mutation testing (npm run test:mutation) the Lambdas also get the mutant to activate.
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
  t.ok(await sandbox.start({ cwd: root, quiet: true, env }), `Sandbox started in ${mode} mode`)
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

export async function end (t: Test) {
  t.ok(await sandbox.end(), 'Sandbox ended')
}
