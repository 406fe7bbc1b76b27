// One JSON line per event worth knowing in production, so CloudWatch Logs Insights can count them
// (see "In production" in the README). Plain console lines rather than a logger library: Lambda
// already timestamps each line and ships it, and a library would cost every cold start its parse.
//
// What a line may hold is decided here, by type: the event, where it happened, field *names* and
// error *kinds*. Never a cookie, a row id, a signature, a secret or session data: a log is read
// by more people, and kept longer, than a session lives.
import type { Mode } from './config.ts'

export type SessionEvent =
  | 'session.created' | 'session.regenerated' | 'session.destroyed' | 'session.moved'
  | 'session.expired' | 'session.rejected' | 'session.data_reset' | 'session.superseded' | 'session.revoked' | 'session.unbound'
  | 'setup.refused' | 'store.failed' | 'store.throttled' | 'deadline.reached' | 'conflicts.exhausted'
  | 'handler.failed'

/** Where an event happened: the Lambda request id, the route and the session mode */
export interface Where {
  requestId: string
  route: string
  mode: Mode | null
}

/** What may follow: short facts chosen by the wrapper, never values read from a request */
export interface Details {
  /** Names of session fields (never their values) */
  fields?: string[]
  /** The kind of error, e.g. `TypeError` or `ThrottledError` */
  error?: string
  /** A message the wrapper wrote itself, or a handler error's stack */
  message?: string
  /** How many times a request tried to write, and how long it paused between tries (ms) */
  attempts?: number
  waitedMs?: number
  /** An owned session's handle, which names it to its owner and opens nothing */
  handle?: string
}

const LEVEL: Record<SessionEvent, 'info' | 'warn' | 'error'> = {
  'session.created': 'info',
  'session.regenerated': 'info',
  'session.destroyed': 'info',
  'session.moved': 'info',
  'session.expired': 'info',
  'session.rejected': 'warn',
  'session.data_reset': 'warn',
  'session.superseded': 'info',
  'session.revoked': 'info',
  'session.unbound': 'warn',
  'setup.refused': 'error',
  'store.failed': 'error',
  'store.throttled': 'warn',
  'deadline.reached': 'error',
  'conflicts.exhausted': 'warn',
  'handler.failed': 'error',
}

export function log (event: SessionEvent, where: Where, details: Details = {}): void {
  let level = LEVEL[event]
  let line = JSON.stringify({ level, event, ...where, ...details })
  if (level === 'error') console.error(line)
  else if (level === 'warn') console.warn(line)
  else console.log(line)
}
