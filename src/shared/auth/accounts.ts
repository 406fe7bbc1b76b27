// Accounts and their passkeys, in the `account` and `passkey` tables (app.arc). Both session modes
// use them: even a session that lives in a cookie has to know who may sign in.
//
// Nothing here is secret. A passkey row holds a public key: a copy of the table lets nobody sign
// in. Rows are still input (a hand edit, an older version of this app), so each is checked on read.
import { randomBytes } from 'node:crypto'
import arc from '@architect/functions'
import { StoreError } from '../session/store.ts'
import { bounded } from '../session/deadline.ts'

export interface Account {
  /** The key: the name folded to one case, so "Ada" and "ADA" are one account */
  name: string
  /** The name as its owner typed it, for display */
  display: string
  /** The WebAuthn user handle (base64url of 16 random bytes): never the name, which it must not reveal */
  userId: string
  created: number
  /** The SHA-256 of its recovery code (recovery.ts); none for an account made before codes existed */
  recoveryHash?: string
}

export interface Passkey {
  /** The credential id the authenticator made (base64url) */
  id: string
  /** The account's key, and its user handle: both must match at sign-in */
  account: string
  userId: string
  /** The credential's COSE public key (base64url) */
  publicKey: string
  /** The signature counter the authenticator last reported; synced passkeys always report 0 */
  counter: number
  /** How the browser can reach the authenticator (`internal`, `hybrid`, `usb`...), as the browser reported */
  transports: string[]
  created: number
  lastUsed: number | null
  /** Its owner's name for it; at first, where it was made ("Chrome on Linux") */
  name: string
  /** Backed up, so synced to the owner's other devices (the authenticator's BS flag at registration) */
  backedUp: boolean
}

/** The account key for a name: Unicode-normalised (NFKC, so look-alike compositions agree) and lower case */
export function accountKey (name: string): string {
  return name.normalize('NFKC').toLowerCase()
}

// DynamoDB answers in milliseconds; a call that takes seconds is a failure, answered with a 503
const DB_TIMEOUT_MS = 3000

// The tables this file writes, and those its neighbours write through `call`: the session table
// holds the spent challenges (challenges.ts), the limit table the visitors' counters (limits.ts),
// the activity table each account's events (activity.ts)
type Rows = { account: Account, passkey: Passkey, session: Record<string, unknown>, limit: Record<string, unknown>, activity: Record<string, unknown> }
type Tables = Awaited<ReturnType<typeof arc.tables<Rows>>>

/** Runs one DynamoDB call; any failure but a failed condition becomes a StoreError (a 503) */
export async function call<T> (operation: (db: Tables) => Promise<T>): Promise<T> {
  let deadline = performance.now() + DB_TIMEOUT_MS
  try {
    let tables = await bounded(() => arc.tables<Rows>(), deadline)
    return await bounded(() => operation(tables), deadline)
  }
  catch (err) {
    if (isConditionFailed(err) || err instanceof StoreError) throw err
    throw new StoreError(`the accounts tables failed (${err instanceof Error ? err.name : typeof err})`)
  }
}

export function isConditionFailed (err: unknown): boolean {
  return err instanceof Error && err.name === 'ConditionalCheckFailedException'
}

/**
 * Writes a row only if its key is new. aws-lite retries a write whose answer was lost, and that
 * retry fails the condition its first try met: so each write carries a random token, and after a
 * failed condition the row is read back. Only our own token means the write landed: a row that
 * merely looks like ours (the same user handle, the same key) was someone else's write.
 */
export async function putIfNew (table: keyof Rows, key: string, Item: Record<string, unknown>): Promise<boolean> {
  let _write = randomBytes(12).toString('base64url')
  try {
    await call(db => db._client.PutItem({ TableName: db.name(table), Item: { ...Item, _write }, ConditionExpression: 'attribute_not_exists(#k)', ExpressionAttributeNames: { '#k': key } }))
    return true
  }
  catch (err) {
    if (!isConditionFailed(err)) throw err
    let row = await read(table, { [key]: Item[key] })
    return row?._write === _write
  }
}

async function read (table: keyof Rows, Key: Record<string, unknown>): Promise<Record<string, unknown> | null> {
  let { Item } = await call(db => db._client.GetItem({ TableName: db.name(table), Key, ConsistentRead: true }))
  return Item ?? null
}

const isString = (value: unknown): value is string => typeof value === 'string'
const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value)

export async function findAccount (name: string): Promise<Account | null> {
  let row = await read('account', { name })
  if (!row || !isString(row.name) || !isString(row.display) || !isString(row.userId) || !isNumber(row.created)) return null
  let account: Account = { name: row.name, display: row.display, userId: row.userId, created: row.created }
  if (isString(row.recoveryHash)) account.recoveryHash = row.recoveryHash
  return account
}

/** Creates the account; false when its name is taken. The condition, not a read first, makes names unique. */
export function createAccount (account: Account): Promise<boolean> {
  return putIfNew('account', 'name', { ...account })
}

/**
 * Gives the account a new recovery code's hash, in place of `spent` (the one just used), or of
 * whatever it had when `spent` is null; false when the account is gone or its code is not `spent`
 * any more (another request used it first). Only `recoveryHash` is written.
 */
export async function replaceRecovery (name: string, spent: string | null, hash: string): Promise<boolean> {
  try {
    await call(db => db._client.UpdateItem({
      TableName: db.name('account'), Key: { name },
      UpdateExpression: 'SET #h = :h',
      ConditionExpression: spent === null ? 'attribute_exists(#n)' : '#h = :spent',
      ExpressionAttributeNames: { '#h': 'recoveryHash', ...(spent === null ? { '#n': 'name' } : {}) },
      ExpressionAttributeValues: { ':h': hash, ...(spent === null ? {} : { ':spent': spent }) },
    }))
    return true
  }
  catch (err) {
    if (!isConditionFailed(err)) throw err
    // A retried write of ours fails its condition too: then the row holds the new hash, which nobody else knows
    return (await read('account', { name }))?.recoveryHash === hash
  }
}

/** What a passkey row without a name (written before names existed) is called */
const UNNAMED = 'A passkey'

/** A passkey row as read, or null when it is not one */
function passkeyOf (row: Record<string, unknown> | null): Passkey | null {
  if (!row || !isString(row.id) || !isString(row.account) || !isString(row.userId) || !isString(row.publicKey) || !isNumber(row.counter) || !isNumber(row.created)) return null
  let transports = Array.isArray(row.transports) ? row.transports.filter(isString) : []
  let lastUsed = isNumber(row.lastUsed) ? row.lastUsed : null
  let name = isString(row.name) && row.name ? row.name : UNNAMED
  return { id: row.id, account: row.account, userId: row.userId, publicKey: row.publicKey, counter: row.counter, transports, created: row.created, lastUsed, name, backedUp: row.backedUp === true }
}

export async function findPasskey (id: string): Promise<Passkey | null> {
  return passkeyOf(await read('passkey', { id }))
}

// An account holds a handful of passkeys; pages beyond this are not followed
const PASSKEY_PAGES = 10

/** The account's passkeys, through the passkey table's index on `account` (a Query, never a Scan); eventually consistent */
export async function passkeysOf (account: string): Promise<Passkey[]> {
  let found: Passkey[] = []
  let after: Record<string, unknown> | undefined
  for (let page = 0; page < PASSKEY_PAGES; page++) {
    let { Items = [], LastEvaluatedKey } = await call(db => db._client.Query({
      TableName: db.name('passkey'), IndexName: 'byAccount',
      KeyConditionExpression: '#a = :a', ExpressionAttributeNames: { '#a': 'account' }, ExpressionAttributeValues: { ':a': account },
      ...(after ? { ExclusiveStartKey: after } : {}),
    }))
    found.push(...Items.flatMap((row: Record<string, unknown>) => passkeyOf(row) ?? []))
    after = LastEvaluatedKey
    if (!after) break
  }
  // The index is only a pointer: each row must still say it is this account's
  return found.filter(passkey => passkey.account === account)
}

/** Names a passkey; false when it is gone. Only `name` is written (IAM allows this route nothing else). */
export async function renamePasskey (id: string, name: string): Promise<boolean> {
  try {
    await call(db => db._client.UpdateItem({
      TableName: db.name('passkey'), Key: { id },
      UpdateExpression: 'SET #n = :n', ConditionExpression: 'attribute_exists(#i)',
      ExpressionAttributeNames: { '#n': 'name', '#i': 'id' }, ExpressionAttributeValues: { ':n': name },
    }))
    return true
  }
  catch (err) {
    if (isConditionFailed(err)) return false
    throw err
  }
}

/**
 * Stores a new passkey; false when its credential id is already stored. Never overwrite one:
 * a client chooses the id it sends, and replacing someone's public key with its own would hand
 * it their account.
 */
export function addPasskey (passkey: Passkey): Promise<boolean> {
  return putIfNew('passkey', 'id', { ...passkey })
}

/** Removes a passkey: one its owner removed, or one stored for an account that could not be created (its name was taken) */
export async function dropPasskey (id: string): Promise<void> {
  await call(db => db._client.DeleteItem({ TableName: db.name('passkey'), Key: { id } }))
}

/**
 * Records a sign-in: the new counter and the time. Only if the counter is still the one checked,
 * so two sign-ins racing with one counter value cannot both pass. False when another got there first.
 */
export async function recordUse (passkey: Passkey, counter: number, now: number): Promise<boolean> {
  try {
    await call(db => db._client.UpdateItem({
      TableName: db.name('passkey'),
      Key: { id: passkey.id },
      UpdateExpression: 'SET #c = :new, #u = :now',
      ConditionExpression: '#c = :old',
      ExpressionAttributeNames: { '#c': 'counter', '#u': 'lastUsed' },
      ExpressionAttributeValues: { ':new': counter, ':old': passkey.counter, ':now': now },
    }))
    return true
  }
  catch (err) {
    if (!isConditionFailed(err)) throw err
    // A retried write of ours fails its condition too: then the row holds exactly what it wrote
    let row = await read('passkey', { id: passkey.id })
    return row?.counter === counter && row.lastUsed === now
  }
}
