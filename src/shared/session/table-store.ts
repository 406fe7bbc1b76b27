// Table mode: the cookie holds only a signed row id; the data lives in the DynamoDB `session` table.
// Rows keep Architect's shape (`_idx`, `_secret`, `_ttl`), so plain `arc.http.session.read` finds them.
import { randomBytes } from 'node:crypto'
import arc from '@architect/functions'
import { sign, unsign } from 'cookie-signature'
import { clock } from './clock.ts'
import type { Settings } from './config.ts'
import { isPlainObject, withoutPrototypeKeys } from './data.ts'
import { ConflictError, type SessionRecord, type SessionStore } from './store.ts'

// Architect's ddb provider sets `_ttl` to a week after each write
const ARCHITECT_WEEK = 604800

// 18 random bytes (144 bits) is what Architect uses: far beyond guessing range
function randomId (): string {
  return randomBytes(18).toString('base64url')
}

// aws-lite has no request timeout, so a dead connection would hold the Lambda until its own
// timeout. Give DynamoDB a few seconds (it answers in milliseconds), then fail with a 503.
const DB_TIMEOUT_MS = 3000

function bounded<T> (operation: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  let timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`DynamoDB did not answer within ${DB_TIMEOUT_MS} ms`)), DB_TIMEOUT_MS)
  })
  return Promise.race([ operation, timeout ]).finally(() => clearTimeout(timer))
}

function isConditionFailure (err: unknown): boolean {
  return err instanceof Error && err.name === 'ConditionalCheckFailedException'
}

/** The row id a cookie value carries, if one of our secrets signed it; `index` says which */
export function signedId (cookieValue: string, secrets: string[]): { id: string, index: number } | null {
  // cookie-signature compares in constant time, so the signature cannot be guessed byte by byte
  for (let [ index, secret ] of secrets.entries()) {
    let id = unsign(cookieValue, secret)
    if (id !== false) return { id, index }
  }
  return null
}

/**
 * The session in a row, or null when the row is expired or not one of ours. Never throws: a row
 * is input too (plain arc.http() or an older version of this app may have written it).
 */
export function recordFromRow (Item: Record<string, unknown> | undefined, now: number): { record: SessionRecord, version: number } | null {
  // DynamoDB deletes expired rows up to days late (Sandbox never does): check `_ttl` ourselves
  if (!Item || typeof Item._ttl !== 'number' || Item._ttl <= now / 1000) return null
  // A JSON copy: sets and binary become plain values, prototype keys are dropped, and numbers past
  // 2^53 (which aws-lite hands over as BigInt, and JSON cannot hold) are left for the schema to default
  let json = JSON.stringify(Item, (_key, value: unknown) => typeof value === 'bigint' ? undefined : value)
  let row: unknown = JSON.parse(json, withoutPrototypeKeys)
  if (!isPlainObject(row)) return null
  let { _idx, _secret, _ttl, _version, _renewed, ...fields } = row
  // A row plain arc.http() wrote has no `_renewed`; it set `_ttl` a week after its last write
  let renewed = typeof _renewed === 'number' ? _renewed : (Item._ttl - ARCHITECT_WEEK) * 1000
  return { record: { ...fields, _renewed: renewed }, version: typeof _version === 'number' ? _version : 0 }
}

export function tableStore (settings: Settings): SessionStore {
  let secrets = [ settings.secret, settings.previousSecret ].filter(s => s !== null)

  async function db () {
    let tables = await bounded(arc.tables())
    let TableName = tables.name(settings.tableName)
    if (!TableName) throw new Error(`Session table "${settings.tableName}" not found; check ARC_SESSION_TABLE_NAME and @tables in app.arc`)
    return { client: tables._client, TableName }
  }

  return {
    async load (cookieValue) {
      let signed = signedId(cookieValue, secrets)
      if (!signed) return null
      let { client, TableName } = await db()
      let { Item } = await bounded(client.GetItem({ TableName, Key: { _idx: signed.id }, ConsistentRead: true }))
      let found = recordFromRow(Item, clock.now())
      return found && { ...found, id: signed.id, oldSecret: signed.index > 0 }
    },

    async save (record, previous, newIdentity) {
      let keep = previous?.id && !newIdentity ? previous : null
      let id = keep?.id ?? randomId()
      let { client, TableName } = await db()
      let Item = {
        ...record,
        _idx: id,
        // Architect's reader only accepts rows with its CSRF secret; we never use it
        _secret: randomId(),
        // The attribute DynamoDB's TTL sweep reads (seconds); renewed with every write
        _ttl: Math.ceil(record._renewed / 1000) + settings.idleSeconds,
        _version: (keep?.version ?? 0) + 1,
      }
      // Write only if nobody else wrote since we read: without this, concurrent requests on one
      // session silently lose updates. A new id must be unused. A row arc.http() wrote has no
      // version, and must still exist: a request in flight must not bring back a signed-out row.
      let condition = !keep
        ? { ConditionExpression: 'attribute_not_exists(#k)', ExpressionAttributeNames: { '#k': '_idx' } }
        : keep.version
          ? { ConditionExpression: '#v = :v', ExpressionAttributeNames: { '#v': '_version' }, ExpressionAttributeValues: { ':v': keep.version } }
          : { ConditionExpression: 'attribute_exists(#k) AND attribute_not_exists(#v)', ExpressionAttributeNames: { '#k': '_idx', '#v': '_version' } }
      try {
        await bounded(client.PutItem({ TableName, Item, ...condition }))
      }
      catch (err) {
        if (isConditionFailure(err)) throw new ConflictError('session changed while this request ran')
        throw err
      }
      // A new identity (sign-in) retires the old row, so a cookie captured before sign-in is worthless
      if (newIdentity && previous?.id) await bounded(client.DeleteItem({ TableName, Key: { _idx: previous.id } }))
      return sign(id, settings.secret)
    },

    async remove (previous) {
      if (!previous.id) return
      let { client, TableName } = await db()
      await bounded(client.DeleteItem({ TableName, Key: { _idx: previous.id } }))
    },
  }
}
