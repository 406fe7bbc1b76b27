// Cookie mode cannot take back a cookie it handed out: the session is in the cookie, and nothing on
// the server says it ended. So to end all of an owner's sessions, it records when the owner did
// ("signed out before"), in one row of the session table, and a session of that owner signed in
// before then is refused. Reading that row on every request would cost cookie mode the DynamoDB
// call it exists to avoid: a warm Lambda trusts what it last read for
// `settings.revocationCheckSeconds` (60 by default), which is how long a session ended elsewhere
// can still be used. Only sessions with an owner are checked: anonymous ones never call DynamoDB.
// Ending the others reads the time afresh, never from memory: otherwise a session already ended
// could re-issue itself, signed in from now, from a Lambda that had not heard yet.
import arc from '@architect/functions'
import { clock } from './clock.ts'
import type { Settings } from './config.ts'
import { bounded } from './deadline.ts'
import { recent } from './recent.ts'
import { SessionEndedError, StoreError } from './store.ts'

// The row's key: no session id has a `:` (they are base64url), and no cookie can name it without the secret
const keyOf = (owner: string) => `signed-out:${owner}`

// The session table by its logical name, which exists in both modes (app.arc declares it)
const TABLE = 'session'

// How many owners a warm Lambda remembers (about 100 bytes each): past that, the one read longest
// ago is forgotten and read again when it comes back
export const REMEMBERED_OWNERS = 10_000

export function revocations (settings: Settings) {
  // What this warm Lambda last read, per owner: the time, and when it read it
  let seen = recent<string, { before: number, readAt: number }>(REMEMBERED_OWNERS)

  async function db (deadline: number) {
    let tables = await bounded(() => arc.tables(), deadline)
    let TableName = (await tables.reflect())[TABLE]
    if (!TableName) throw new StoreError(`cookie mode keeps "signed out before" times in the table "${TABLE}", which app.arc does not declare`)
    return { client: tables._client, TableName }
  }

  /** The owner's time; from this Lambda's memory if it read it recently, unless `fresh` */
  async function signedOutBefore (owner: string, deadline: number, fresh = false): Promise<number> {
    let now = clock.now()
    let known = seen.get(owner)
    if (!fresh && known && now - known.readAt < settings.revocationCheckSeconds * 1000) return known.before
    let { client, TableName } = await db(deadline)
    let { Item } = await bounded(() => client.GetItem({ TableName, Key: { _idx: keyOf(owner) }, ConsistentRead: true }), deadline)
    let before = typeof Item?._before === 'number' ? Item._before : 0
    seen.set(owner, { before, readAt: now })
    return before
  }

  /**
   * Ends every session of the owner signed in until now but the one a request keeps (signed in
   * at `since`), and says when that one now counts as signed in from
   */
  async function endOthers (owner: string, since: number, deadline: number): Promise<number> {
    // Afresh, not from this Lambda's memory: a session ended elsewhere a moment ago must not
    // re-issue itself, signed in from now, and so outlive the sign-out that ended it
    if (since < await signedOutBefore(owner, deadline, true)) throw new SessionEndedError('this session was ended elsewhere')
    let now = clock.now()
    await signOut(owner, now, deadline)
    // The kept session counts from exactly that time: a "sign out everywhere" recorded after
    // it, even a millisecond later, ends it too
    return now
  }

  /** Records that every session of the owner signed in before `before` has ended; a later time already recorded stays */
  async function signOut (owner: string, before: number, deadline: number): Promise<void> {
    let { client, TableName } = await db(deadline)
    // Kept as long as a session signed in before it could live; DynamoDB's sweep removes it then
    let Item = { _idx: keyOf(owner), _before: before, _ttl: Math.ceil(before / 1000) + settings.absoluteSeconds }
    try {
      // Only ever later: a write held up in the network must not bring back sessions that a
      // later "sign out everywhere" ended
      await bounded(() => client.PutItem({
        TableName, Item,
        ConditionExpression: 'attribute_not_exists(#b) OR #b < :b',
        ExpressionAttributeNames: { '#b': '_before' },
        ExpressionAttributeValues: { ':b': before },
      }), deadline)
    }
    catch (err) {
      // A later time (or this same one, from aws-lite's retry of a write whose answer was lost) is there: it stands
      if (!(err instanceof Error && err.name === 'ConditionalCheckFailedException')) throw err
      seen.delete(owner)
      return
    }
    // What this Lambda wrote, it need not read back. (Each route is a Lambda of its own, so only
    // this route's later requests gain: they would read the same value.)
    // Stryker disable next-line ObjectLiteral,CallExpression: as the line above says, it would read the same value
    seen.set(owner, { before, readAt: clock.now() })
  }

  return { signedOutBefore, endOthers }
}
