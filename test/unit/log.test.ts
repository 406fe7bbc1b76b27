// One JSON line per event, on the console stream its level calls for: Lambda marks what goes to
// console.error as ERROR and console.warn as WARN, which is what CloudWatch alarms filter on.
import test from 'tape'
import { log, type SessionEvent } from '../../src/shared/session/log.ts'

/** Runs `fn` and returns what went to each console stream */
function captured (fn: () => void): Record<'log' | 'warn' | 'error', string[]> {
  let streams = { log: [] as string[], warn: [] as string[], error: [] as string[] }
  let saved = { log: console.log, warn: console.warn, error: console.error }
  console.log = (line: string) => { streams.log.push(line) }
  console.warn = (line: string) => { streams.warn.push(line) }
  console.error = (line: string) => { streams.error.push(line) }
  try { fn() }
  finally { Object.assign(console, saved) }
  return streams
}

// The events by level: what an operator needs to hear about is an error or a warning
const BY_LEVEL: Record<'info' | 'warn' | 'error', SessionEvent[]> = {
  info: [ 'session.created', 'session.regenerated', 'session.destroyed', 'session.moved', 'session.expired', 'session.superseded' ],
  warn: [ 'session.rejected', 'session.data_reset', 'store.throttled', 'conflicts.exhausted' ],
  error: [ 'setup.refused', 'store.failed', 'deadline.reached', 'handler.failed' ],
}
const STREAM = { info: 'log', warn: 'warn', error: 'error' } as const

test('each event is one JSON line with its level, where it happened and its details, on its level\'s stream', t => {
  let where = { requestId: 'req-1', route: 'GET /', mode: 'table' as const }
  for (let [ level, events ] of Object.entries(BY_LEVEL) as [keyof typeof BY_LEVEL, SessionEvent[]][]) for (let event of events) {
    let streams = captured(() => log(event, where, { fields: [ 'cart' ], attempts: 2 }))
    t.deepEqual(streams[STREAM[level]].map(line => JSON.parse(line) as unknown), [ { level, event, ...where, fields: [ 'cart' ], attempts: 2 } ], `${event}: ${level}, on console.${STREAM[level]}`)
    t.equal(Object.values(streams).flat().length, 1, `${event}: and nowhere else`)
  }
  t.end()
})
