// An account's security activity, for its owner to read (GET /activity, and the "Your sessions"
// page): sign-ups and sign-ins, passkeys added, sessions ended, and a sign of theft, a passkey
// answer refused because its counter went back. Each event is one row of the `activity` table
// (app.arc), keyed by account and time, so the list is one Query, newest first; `_ttl` ends it
// after ACTIVITY_DAYS.
//
// An event holds its type, the time, the device that did it (the label "Your sessions" shows) and
// a session's handle where there is one: never a cookie, a challenge, a key or an address. The
// log is a record of the action, not part of it: a write that fails leaves the action done, and a
// log line says so.
import type { APIGatewayProxyEventV2 as Event } from 'aws-lambda'
import { randomBytes } from 'node:crypto'
import { clock } from '../session/clock.ts'
import { call, isConditionFailed } from './accounts.ts'
import { wholeNumber } from './settings.ts'

const TYPES = [ 'signed-up', 'signed-in', 'passkey-added', 'passkey-renamed', 'passkey-removed', 'session-ended', 'signed-out-others', 'signed-out-everywhere', 'counter-went-back', 'recovered', 'recovery-code-made' ] as const
export type ActivityType = typeof TYPES[number]

/** One event, as GET /activity lists it */
export interface Activity {
  type: ActivityType
  /** When (ms since epoch) */
  at: number
  /** The device that did it, from its User-Agent ("Chrome on Linux") */
  device: string
  /** The session it concerns: the one ended, or the one that ended the others */
  handle?: string
  /** The passkey used or added: the first 8 characters of its credential id, which is no secret */
  passkey?: string
}

const DAYS = wholeNumber(process.env, 'ACTIVITY_DAYS', 90)

/** The most GET /activity lists */
export const LISTED = 50

// An event anyone outside can cause again and again (replaying an old answer) is written at most
// once a minute per account and type: the minute is its key, and the write is only if new. A flood
// then costs one write a minute, and the owner still sees that it happened.
const FROM_OUTSIDE = new Set<ActivityType>([ 'counter-went-back' ])
const MINUTE_MS = 60_000

// The sort key: the time, zero-padded so that text order is time order, then what makes it unique
const padded = (ms: number) => String(ms).padStart(15, '0')
function sortKey (type: ActivityType, at: number): string {
  return FROM_OUTSIDE.has(type) ? `${padded(Math.floor(at / MINUTE_MS) * MINUTE_MS)}:${type}` : `${padded(at)}:${randomBytes(6).toString('base64url')}`
}

/** The short name of a passkey in an event */
export const passkeyLabel = (credentialId: string) => credentialId.slice(0, 8)

/** Records an event for `account`; never throws (a failed write is a log line, and the action stands) */
export async function record (event: Event, account: string, what: Omit<Activity, 'at'>): Promise<void> {
  let at = clock.now()
  let outside = FROM_OUTSIDE.has(what.type)
  let item: Record<string, unknown> = { account, id: sortKey(what.type, at), type: what.type, at, device: what.device, _ttl: Math.ceil(at / 1000) + DAYS * 86_400 }
  if (what.handle) item.handle = what.handle
  if (what.passkey) item.passkey = what.passkey
  try {
    await call(db => db._client.PutItem({
      TableName: db.name('activity'),
      Item: item,
      ...(outside ? { ConditionExpression: 'attribute_not_exists(#i)', ExpressionAttributeNames: { '#i': 'id' } } : {}),
    }))
  }
  catch (err) {
    // This minute's event of this type is written already
    if (outside && isConditionFailed(err)) return
    console.warn(JSON.stringify({
      level: 'warn', event: 'activity.unrecorded', requestId: event.requestContext.requestId || 'local', route: event.routeKey,
      type: what.type, error: err instanceof Error ? err.name : typeof err,
    }))
  }
}

const isType = (value: unknown): value is ActivityType => TYPES.some(type => type === value)

/** The account's events, newest first, at most LISTED; rows of another shape, or past their `_ttl` (not swept yet), are left out */
export async function activityOf (account: string): Promise<Activity[]> {
  let { Items = [] } = await call(db => db._client.Query({
    TableName: db.name('activity'),
    KeyConditionExpression: '#a = :a',
    ExpressionAttributeNames: { '#a': 'account' },
    ExpressionAttributeValues: { ':a': account },
    ScanIndexForward: false,
    Limit: LISTED,
  }))
  let now = clock.now() / 1000
  return Items.flatMap((row: Record<string, unknown>): Activity[] => {
    if (!isType(row.type) || typeof row.at !== 'number' || typeof row.device !== 'string') return []
    if (typeof row._ttl === 'number' && row._ttl <= now) return []
    return [ {
      type: row.type, at: row.at, device: row.device,
      ...(typeof row.handle === 'string' ? { handle: row.handle } : {}),
      ...(typeof row.passkey === 'string' ? { passkey: row.passkey } : {}),
    } ]
  })
}
