// Every DynamoDB call, in both modes and in the accounts code, runs inside the request's time budget.
import { DeadlineError, StoreError, ThrottledError } from './store.ts'

// aws-lite has no request timeout, so a dead connection would hold the Lambda until its own
// timeout. Give DynamoDB a few seconds (it answers in milliseconds), and never more than the
// request has left, then fail with a 503.
const DB_TIMEOUT_MS = 3000

// DynamoDB's answers when it is short of capacity. aws-lite already retries these (5 times, with
// jittered exponential backoff from 100 ms), so we do not retry them again: what is still
// throttled after that, or when the budget runs out, is a 503 with Retry-After.
const THROTTLED = [ 'ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded' ]

/** Runs one DynamoDB call within the request's budget (`deadline`, a `performance.now()` time) */
export async function bounded<T> (operation: () => Promise<T>, deadline: number): Promise<T> {
  let left = deadline - performance.now()
  let ms = Math.min(DB_TIMEOUT_MS, left)
  let cut = () => ms < DB_TIMEOUT_MS
    ? new DeadlineError('the request\'s time budget ran out while waiting for DynamoDB')
    : new StoreError(`DynamoDB did not answer within ${DB_TIMEOUT_MS} ms`)
  // Stryker disable next-line EqualityOperator: `ms` is a float of the clock; exactly 0 does not come
  if (ms <= 0) throw cut()
  let timer: NodeJS.Timeout | undefined
  let timeout = new Promise<never>((_, reject) => {
    // Node's timers can fire up to a millisecond early (libuv caches the loop's clock): round up
    // and add one, so the deadline never cuts a call before its budget is spent
    timer = setTimeout(() => reject(cut()), Math.ceil(ms) + 1)
  })
  try {
    return await Promise.race([ operation(), timeout ])
  }
  catch (err) {
    if (err instanceof Error && THROTTLED.includes(err.name)) throw new ThrottledError(`DynamoDB is throttling (${err.name})`)
    throw err
  }
  finally {
    clearTimeout(timer)
  }
}
