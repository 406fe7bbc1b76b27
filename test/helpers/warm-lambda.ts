// Runs the built handlers (.build/http/*/index.js, what Lambda runs) in a separate Node process
// with an environment of our choosing, and keeps it warm between calls like a Lambda container.
// Tests use it where the environment itself is under test: production settings, faults.
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import type { APIGatewayProxyEventV2 as Event, APIGatewayProxyStructuredResultV2 as Response } from 'aws-lambda'
import { appDir } from './sandbox.ts'
import { sandboxVariable } from './ports.ts'

export type Route = 'get-index' | 'post-count' | 'post-cart' | 'post-logout'
  | 'post-passkeys-register-options' | 'post-passkeys-register' | 'post-passkeys-login-options' | 'post-passkeys-login'
  | 'post-passkeys-verify-options' | 'post-passkeys-verify' | 'get-passkeys' | 'post-passkeys-rename' | 'post-passkeys-remove'
  | 'get-sessions' | 'post-sessions-end' | 'post-logout-others' | 'post-logout-everywhere' | 'get-activity'
  | 'post-recover' | 'post-recover-new' | 'post-sessions-bind' | 'post-sessions-bind-refresh'

export interface Result {
  response: Response
  /** Milliseconds the handler took */
  ms: number
}

export interface WarmLambda {
  /** Calls a route; with `now`, at that moment (ms since epoch) */
  call (route: Route, event: Event, now?: number): Promise<Result>
  /** Every line the handlers logged so far */
  logs (): string[]
  close (): void
}

/** The function timeout app.arc sets (`@aws timeout`), in ms */
export const TIMEOUT_MS = 10_000

// A call may give `now` (ms since epoch): the handler then runs with Date.now() stopped there,
// so tests can move time in the built code, which has no test hooks of its own
// stdout carries the replies, and the handlers' log lines too, each a JSON line: in one stream,
// a request's log lines arrive before its reply, so a test can read them as soon as it answers.
const CHILD = `
const { createInterface } = require('node:readline')
const { join } = require('node:path')
const { format } = require('node:util')
console.log = console.info = console.warn = console.error = (...args) => process.stdout.write(JSON.stringify({ log: format(...args) }) + '\\n')
const realNow = Date.now
const lines = createInterface({ input: process.stdin })
lines.on('line', async line => {
  const { route, event, now } = JSON.parse(line)
  const { handler } = require(join(process.env.BUILD_DIR, route, 'index.js'))
  Date.now = now ? () => now : realNow
  const started = performance.now()
  // What Lambda passes: the time left before its timeout (TIMEOUT_MS), and a request id
  const deadline = started + Number(process.env.TIMEOUT_MS)
  const context = { awsRequestId: 'req-' + started.toFixed(3), getRemainingTimeInMillis: () => deadline - performance.now() }
  const response = await handler(event, context)
  process.stdout.write(JSON.stringify({ response, ms: performance.now() - started }) + '\\n')
})
`

export function warmLambda (env: Record<string, string>): WarmLambda {
  let child = spawn(process.execPath, [ '-e', CHILD ], {
    env: {
      PATH: process.env.PATH,
      BUILD_DIR: `${appDir}.build/http`,
      TIMEOUT_MS: String(TIMEOUT_MS),
      // Under mutation testing (npm run test:mutation), the mutant to activate in the built handlers
      ...(process.env.__STRYKER_ACTIVE_MUTANT__ ? { __STRYKER_ACTIVE_MUTANT__: process.env.__STRYKER_ACTIVE_MUTANT__ } : {}),
      ...env,
    },
    stdio: [ 'pipe', 'pipe', 'pipe' ],
  })
  let waiting: { resolve: (result: Result) => void, reject: (err: Error) => void }[] = []
  let logged: string[] = []
  createInterface({ input: child.stdout }).on('line', line => {
    let message = JSON.parse(line) as Result | { log: string }
    if ('log' in message) logged.push(message.log)
    else waiting.shift()?.resolve(message)
  })
  // What the process prints when it crashes
  createInterface({ input: child.stderr }).on('line', line => logged.push(line))
  // A handler that crashes its process fails the call (with what it printed) instead of hanging the test
  child.on('exit', code => {
    let error = new Error(`the Lambda process exited with code ${code}:\n${logged.join('\n')}`)
    for (let call of waiting.splice(0)) call.reject(error)
  })
  return {
    call (route, event, now) {
      return new Promise((resolve, reject) => {
        waiting.push({ resolve, reject })
        child.stdin.write(JSON.stringify({ route, event, now }) + '\n')
      })
    },
    logs: () => [ ...logged ],
    close () {
      child.kill()
    },
  }
}

/** A warm Lambda's routes as a plain call, for clients that take one (test/helpers/passkeys.ts); with `now`, at that moment */
export function callsOf (lambda: WarmLambda, now?: number) {
  return async (route: Route, event: Event) => (await lambda.call(route, event, now)).response
}

/** Sandbox's ARC_SANDBOX variable, optionally with DynamoDB on another port (a proxy's) */
export const sandboxPorts = sandboxVariable

/** Where a deployed stage's Lambdas here are served from, as far as passkeys know (PASSKEY_ORIGIN) */
export const DEPLOYED_ORIGIN = 'https://app.example.com'

/** The environment Sandbox would give a Lambda, pointed at Sandbox's services */
export function sandboxEnv (overrides: Record<string, string>): Record<string, string> {
  return {
    ARC_ENV: 'testing',
    ARC_APP_NAME: 'arc-sessions',
    ARC_SESSION_TABLE_NAME: process.env.ARC_SESSION_TABLE_NAME ?? 'jwe',
    ARC_SESSION_TTL: '604800',
    ARC_SANDBOX: sandboxPorts(),
    // Sandbox answers service discovery for its own stack only; naming it lets a Lambda run with
    // ARC_ENV=staging or production here find the session table in Sandbox's DynamoDB
    ARC_STACK_NAME: 'ArcSessionsTesting',
    AWS_ACCESS_KEY_ID: 'sandbox',
    AWS_SECRET_ACCESS_KEY: 'sandbox',
    AWS_REGION: 'us-west-2',
    // Read only where ARC_ENV is staging or production, which cannot start without it
    PASSKEY_ORIGIN: DEPLOYED_ORIGIN,
    ...overrides,
  }
}
