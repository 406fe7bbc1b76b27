// Per-visitor limits on what anyone on the internet can make the app pay for: sign-ups (each
// writes an account row and a passkey row, and software authenticators are a few lines of code)
// and failed passkey answers (each costs reads). API Gateway's route throttling (the
// route-throttling plugin) caps a route for everyone at once, so one flooder would lock everyone
// out; these count per address instead.
//
// The address is API Gateway's `sourceIp`: the connection's, which a client cannot choose. A
// header such as X-Forwarded-For is the client's to write, so the app never reads one (Sandbox
// does fill `sourceIp` from it: docs/upstream.md).
//
// Each address has one counter row per kind and clock hour, in the `limit` table (app.arc),
// expired by `_ttl` at the hour's end. A fixed hour is one row and one write, at the price of a
// burst of twice the limit across an hour's turn: a sliding window would need a row per attempt.
import type { APIGatewayProxyEventV2 as Event } from 'aws-lambda'
import { createHash } from 'node:crypto'
import type { AppData } from '../app.ts'
import { json, redirect, wantsJson } from '../http.ts'
import { clock } from '../session/clock.ts'
import type { Reply } from '../session.ts'
import { call, isConditionFailed } from './accounts.ts'
import { wholeNumber } from './settings.ts'

type Kind = 'signup' | 'failure'

/** Each kind's limit per address per hour, from the function's environment, read at cold start */
export function limitsOf (env: Record<string, string | undefined>): Record<Kind, number> {
  return { signup: wholeNumber(env, 'SIGNUP_PER_HOUR', 10), failure: wholeNumber(env, 'AUTH_FAILURES_PER_HOUR', 30) }
}

const LIMITS = limitsOf(process.env)

const HOUR_MS = 3_600_000

interface Counter {
  key: string
  /** When the hour ends (ms since epoch) */
  ends: number
}

// A hash of the address keeps the key short whatever Sandbox was sent. It hides nothing from
// someone who tries all four billion IPv4 addresses, so it is a key, not a secret; the row is
// gone within the hour anyway.
function counterOf (kind: Kind, event: Event): Counter {
  let address = createHash('sha256').update(event.requestContext.http.sourceIp ?? '').digest('base64url').slice(0, 22)
  let hour = Math.floor(clock.now() / HOUR_MS)
  return { key: `${kind}:${address}:${hour}`, ends: (hour + 1) * HOUR_MS }
}

/** Whole seconds until the counter's hour ends (a Retry-After), at least 1 */
const secondsLeft = ({ ends }: Counter) => Math.max(1, Math.ceil((ends - clock.now()) / 1000))

/**
 * Adds one to the counter unless it is at `max`. One conditional UpdateItem: concurrent requests
 * cannot overshoot. (aws-lite retries a call whose answer was lost, and a retried ADD counts
 * twice: an over-count errs on the limit's side.) Returns whether it counted.
 */
async function countUp ({ key, ends }: Counter, max: number): Promise<boolean> {
  try {
    await call(db => db._client.UpdateItem({
      TableName: db.name('limit'),
      Key: { key },
      UpdateExpression: 'ADD #n :one SET #t = :ttl',
      ConditionExpression: 'attribute_not_exists(#n) OR #n < :max',
      ExpressionAttributeNames: { '#n': 'count', '#t': '_ttl' },
      ExpressionAttributeValues: { ':one': 1, ':max': max, ':ttl': Math.ceil(ends / 1000) },
    }))
    return true
  }
  catch (err) {
    if (isConditionFailed(err)) return false
    throw err
  }
}

/** Counts a sign-up from this address: null if allowed, else the seconds until one is */
export async function signUpWait (event: Event): Promise<number | null> {
  let counter = counterOf('signup', event)
  return await countUp(counter, LIMITS.signup) ? null : secondsLeft(counter)
}

/** Whether this address has used up its failed answers: the seconds until the limit lifts, or null */
export async function failureWait (event: Event): Promise<number | null> {
  let counter = counterOf('failure', event)
  let { Item } = await call(db => db._client.GetItem({ TableName: db.name('limit'), Key: { key: counter.key } }))
  let count = typeof Item?.count === 'number' ? Item.count : 0
  return count >= LIMITS.failure ? secondsLeft(counter) : null
}

/** Counts a failed answer from this address (a full counter stays full: the next answer is refused) */
export async function countFailure (event: Event): Promise<void> {
  await countUp(counterOf('failure', event), LIMITS.failure)
}

/** A 429 with Retry-After; the session is left as it was, so the request makes no other call */
export function tooMany (event: Event, seconds: number, message: string): Reply<AppData> {
  let reply = wantsJson(event) ? json(429, { error: message }) : { ...redirect('/'), flash: message }
  return { ...reply, headers: { ...reply.headers, 'retry-after': String(seconds) } }
}
