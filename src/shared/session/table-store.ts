// Table mode: the cookie holds only a signed row id; the data lives in the DynamoDB `session` table.
// Rows keep Architect's shape (`_idx`, `_secret`, `_ttl`), so plain `arc.http.session.read` finds them.
import { randomBytes } from 'node:crypto'
import arc from '@architect/functions'
import { sign, unsign } from 'cookie-signature'
import { clock } from './clock.ts'
import type { Settings } from './config.ts'
import { withoutPrototypeKeys } from './data.ts'
import { bounded } from './deadline.ts'
import { ConflictError, ENDED, StoreError, endOf, type Loaded, type SessionRecord, type SessionStore } from './store.ts'

// Architect's ddb provider sets `_ttl` to a week after each write
const ARCHITECT_WEEK = 604800

// 18 random bytes (144 bits) is what Architect uses: far beyond guessing range
function randomId (): string {
  return randomBytes(18).toString('base64url')
}

// The session table's index on `_owner` (app.arc, @tables-indexes): an owner's sessions, by Query
export const OWNER_INDEX = 'byOwner'

/** An owner's session as the index lists it: its row id, its record, and its `_ttl` (seconds) */
interface Owned {
  id: string
  record: SessionRecord
  ttl: number
}

// BatchWriteItem takes at most 25 requests
const BATCH = 25

// How long a retired row's marker is kept (seconds): longer than any request that may retry its write
const RETIRED_SECONDS = 60

// What a conditional write requires of the row it replaces or retires: nobody changed it since we
// read it. A row plain arc.http() wrote has no `_version`: it must at least still exist, so a
// request in flight cannot bring back a row a sign-out deleted.
function unchangedSince (row: Loaded) {
  return row.version
    ? { ConditionExpression: '#v = :v', ExpressionAttributeNames: { '#v': '_version' }, ExpressionAttributeValues: { ':v': row.version } }
    : { ConditionExpression: 'attribute_exists(#k) AND attribute_not_exists(#v)', ExpressionAttributeNames: { '#k': '_idx', '#v': '_version' } }
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
 * The session in a row, or null when there is no row or it is not one of ours. Never throws: a
 * row is input too (plain arc.http() or an older version of this app may have written it).
 */
export function recordFromRow (Item: Record<string, unknown> | undefined, now: number): Omit<Loaded, 'id' | 'oldSecret'> | null {
  // A retired row (see `save`) and an ended one (see `endAll`) are markers, not sessions
  if (!Item || typeof Item._ttl !== 'number' || Item._retired === true || Item._ended === true) return null
  // A JSON copy: sets and binary become plain values, prototype keys are dropped, and numbers past
  // 2^53 (which aws-lite hands over as BigInt, and JSON cannot hold) are left for the schema to default
  let json = JSON.stringify(Item, (key, value: unknown) => typeof value === 'bigint' ? undefined : withoutPrototypeKeys(key, value))
  let row = JSON.parse(json) as Record<string, unknown>
  let { _idx, _secret, _ttl, _version, _write, _renewed, ...fields } = row
  // A row plain arc.http() wrote has no `_renewed`; it set `_ttl` a week after its last write
  let renewed = typeof _renewed === 'number' ? _renewed : (Item._ttl - ARCHITECT_WEEK) * 1000
  return {
    record: { ...fields, _renewed: renewed },
    version: typeof _version === 'number' ? _version : 0,
    // DynamoDB deletes expired rows up to days late (Sandbox never does): check `_ttl` ourselves
    expired: Item._ttl <= now / 1000,
  }
}

/**
 * Whether a row is the marker of a session ended from another device (see `endAll`), which its
 * device is told about. Past its `_ttl` the session would have ended anyway: DynamoDB sweeps late.
 */
export function isEndedMarker (Item: Record<string, unknown> | undefined, now: number): boolean {
  return Item?._ended === true && typeof Item._ttl === 'number' && Item._ttl > now / 1000
}

export function tableStore (settings: Settings): SessionStore {
  let secrets = [ settings.secret, settings.previousSecret ].filter(s => s !== null)

  // Found as @architect/functions finds it: by logical name (`session`), or by physical name (the
  // one CloudFormation or Sandbox gave it, as Architect's guide has you set)
  async function db (deadline: number) {
    let tables = await bounded(() => arc.tables(), deadline)
    let names = await tables.reflect()
    let wanted = settings.tableName
    let TableName = Object.hasOwn(names, wanted) ? names[wanted] : Object.values(names).find(physical => physical === wanted)
    if (!TableName) {
      throw new StoreError(`Session table "${wanted}" not found as a logical or a physical name; the app's tables (logical: physical): ${JSON.stringify(names)}. Check ARC_SESSION_TABLE_NAME (or SESSION_TABLE_NAME) and @tables in app.arc`)
    }
    return { client: tables._client, TableName }
  }

  return {
    async load (cookieValue, deadline) {
      let signed = signedId(cookieValue, secrets)
      if (!signed) return null
      let { client, TableName } = await db(deadline)
      let Item: Record<string, unknown> | undefined = (await bounded(() => client.GetItem({ TableName, Key: { _idx: signed.id }, ConsistentRead: true }), deadline)).Item
      let now = clock.now()
      let found = recordFromRow(Item, now)
      if (!found) return isEndedMarker(Item, now) ? ENDED : null
      return { ...found, id: signed.id, oldSecret: signed.index > 0 }
    },

    async save (record, previous, newIdentity, deadline) {
      let keep = previous?.id && !newIdentity ? previous : null
      let id = keep?.id ?? randomId()
      let { client, TableName } = await db(deadline)

      // Each conditional write carries a token of its own. aws-lite retries a write whose answer
      // was lost (a reset connection, a 500), and that retry fails the very condition the first
      // try met: when the row then holds our token, the write landed, and is no conflict.
      async function conditionalPut (Item: Record<string, unknown> & { _idx: string, _write: string }, condition: ReturnType<typeof unchangedSince> | Record<string, never>) {
        try {
          await bounded(() => client.PutItem({ TableName, Item, ...condition }), deadline)
        }
        catch (err) {
          // Stryker disable next-line StringLiteral: a conflict is retried, then answered with a fixed 409; its message is never shown
          if (!(err instanceof Error && err.name === 'ConditionalCheckFailedException')) throw err
          let found: Record<string, unknown> | undefined = (await bounded(() => client.GetItem({ TableName, Key: { _idx: Item._idx }, ConsistentRead: true }), deadline)).Item
          // Stryker disable next-line StringLiteral: a conflict is retried, then answered with a fixed 409; its message is never shown
          if (found?._write !== Item._write) throw new ConflictError('session changed while this request ran')
        }
      }

      // A new identity (sign-in, or a move to __Host-idx) retires the old row first, and only if
      // nobody changed it since we read it: then at most one session descends from it, a sign-out
      // that came first wins, and a cookie captured before sign-in is worthless. Retiring replaces
      // the row with a marker that opens nothing, rather than deleting it, so that a retried retire
      // can find its own token. Should the write below then fail, the visitor is signed out, never
      // left with two sessions. (DynamoDB's TransactWriteItems would do both at once, but
      // Sandbox's DynamoDB does not have it.)
      if (newIdentity && previous?.id) {
        // The marker only has to outlive this request; `_version` moves on, so a write still in
        // flight for the old row fails its condition
        // Stryker disable next-line ArithmeticOperator: only DynamoDB's sweep reads a marker's `_ttl`, and Sandbox never sweeps
        let marker = { _idx: previous.id, _retired: true, _write: randomId(), _version: previous.version + 1, _ttl: Math.ceil(clock.now() / 1000) + RETIRED_SECONDS }
        await conditionalPut(marker, unchangedSince(previous))
      }
      let Item = {
        // The record as JSON has it, as cookie mode stores it: a field a handler set to
        // `undefined` is left out (DynamoDB's marshalling would refuse it instead)
        ...JSON.parse(JSON.stringify(record)) as typeof record,
        _idx: id,
        // Architect's reader only accepts rows with its CSRF secret; we never use it
        _secret: randomId(),
        // The attribute DynamoDB's TTL sweep reads (seconds), renewed with every write: when the
        // session ends, idle or at its absolute lifetime, so the row does not outlive it
        _ttl: Math.ceil(endOf({ renewed: record._renewed, since: record._since ?? record._renewed, ends: record._ends ?? null }, settings) / 1000),
        _version: (keep?.version ?? 0) + 1,
        _write: randomId(),
      }
      // Write only if nobody else wrote since we read: without this, concurrent requests on one
      // session silently lose updates. A new id needs no condition: 144 random bits never collide.
      await conditionalPut(Item, keep ? unchangedSince(keep) : {})
      return sign(id, settings.secret)
    },

    async remove (previous, deadline) {
      let { client, TableName } = await db(deadline)
      await bounded(() => client.DeleteItem({ TableName, Key: { _idx: previous.id } }), deadline)
    },

    async listOwned (owner, deadline) {
      return (await owned(owner, deadline)).map(({ record }) => record)
    },

    async endOne (owner, handle, deadline) {
      let ending = (await owned(owner, deadline)).filter(({ record }) => record._handle === handle)
      await endAll(ending, deadline)
      return ending.length > 0
    },

    async endOthers (owner, kept, deadline) {
      let ending = (await owned(owner, deadline)).filter(({ record }) => record._handle !== kept.handle)
      await endAll(ending, deadline)
      return clock.now()
    },

    async signedOutBefore () {
      return 0 // table mode marks an owner's sessions ended instead of remembering when
    },
  }

  /**
   * The owner's sessions, through the sparse index on `_owner` (app.arc's @tables-indexes): only
   * rows with an owner are in it, and this is a Query, never a Scan. DynamoDB answers a Query in
   * pages of up to 1 MB, so every page is read. The index is eventually consistent, so a session
   * written a moment ago may be missing for a moment.
   */
  async function owned (owner: string, deadline: number) {
    let { client, TableName } = await db(deadline)
    let now = clock.now()
    let found: Owned[] = []
    let ExclusiveStartKey: Record<string, unknown> | undefined
    do {
      let page = await bounded(() => client.Query({
        TableName, IndexName: OWNER_INDEX, ExclusiveStartKey,
        KeyConditionExpression: '#o = :o', ExpressionAttributeNames: { '#o': '_owner' }, ExpressionAttributeValues: { ':o': owner },
      }), deadline)
      for (let Item of page.Items ?? []) {
        let row = recordFromRow(Item, now)
        let { _idx, _ttl }: Record<string, unknown> = Item
        if (row && !row.expired && typeof _idx === 'string' && typeof _ttl === 'number') found.push({ id: _idx, record: row.record, ttl: _ttl })
      }
      ExclusiveStartKey = page.LastEvaluatedKey
    } while (ExclusiveStartKey)
    return found
  }

  /**
   * Replaces sessions' rows with markers that say they were ended from another device, which
   * `load` tells apart from a missing row, so that the device is told why it was signed out. A
   * marker holds nothing of the session (no data, no owner: it leaves the owner's index) and goes
   * with DynamoDB's sweep when the session would have ended anyway; it costs what a delete does
   * (one write unit). Its `_version` of 0 no session has, so a request in flight for one of them
   * fails its condition, as it would on a deleted row.
   * Written 25 at a time (BatchWriteItem's most), sending again what DynamoDB left unprocessed (it
   * does, when short of capacity), after a pause that grows. Whatever is left when the budget runs
   * out is a DeadlineError, so the visitor gets a 503 to try again, never an answer that says all
   * ended when some did not.
   */
  async function endAll (sessions: Owned[], deadline: number) {
    let { client, TableName } = await db(deadline)
    let markers = sessions.map(({ id, ttl }) => ({ _idx: id, _ended: true, _version: 0, _ttl: ttl }))
    for (let start = 0; start < markers.length; start += BATCH) {
      let pending: Record<string, unknown>[] = markers.slice(start, start + BATCH)
      for (let attempt = 0; pending.length; attempt++) {
        if (attempt) await new Promise(resolve => setTimeout(resolve, 50 * 2 ** Math.min(attempt, 4)))
        let requests = pending.map(Item => ({ PutRequest: { Item } }))
        let { UnprocessedItems } = await bounded(() => client.BatchWriteItem({ RequestItems: { [TableName]: requests } }), deadline)
        // (aws-lite hands them back as it took them: { PutRequest: { Item } })
        pending = (UnprocessedItems?.[TableName] ?? []).flatMap(request => request.PutRequest?.Item ? [ request.PutRequest.Item ] : [])
      }
    }
  }
}
