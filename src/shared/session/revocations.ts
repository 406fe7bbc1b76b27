// Cookie mode cannot take back a cookie it handed out: the session is in the cookie, and nothing on
// the server says it ended. So to end all of an owner's sessions, it records when the owner did
// ("signed out before"), in one row of the session table, and a session of that owner signed in
// before then is refused. Reading that row on every request would cost cookie mode the DynamoDB
// call it exists to avoid: a warm Lambda trusts what it last read for
// `settings.revocationCheckSeconds` (60 by default), which is how long a session ended elsewhere
// can still be used. Only sessions with an owner are checked: anonymous ones never call DynamoDB.
import arc from '@architect/functions'
import { clock } from './clock.ts'
import type { Settings } from './config.ts'
import { StoreError } from './store.ts'
import { bounded } from './table-store.ts'

// The row's key: no session id has a `:` (they are base64url), and no cookie can name it without the secret
const keyOf = (owner: string) => `signed-out:${owner}`

// The session table by its logical name, which exists in both modes (app.arc declares it)
const TABLE = 'session'

export function revocations (settings: Settings) {
  // What this warm Lambda last read, per owner: the time, and when it read it
  let seen = new Map<string, { before: number, readAt: number }>()

  async function db (deadline: number) {
    let tables = await bounded(() => arc.tables(), deadline)
    let TableName = (await tables.reflect())[TABLE]
    if (!TableName) throw new StoreError(`cookie mode keeps "signed out before" times in the table "${TABLE}", which app.arc does not declare`)
    return { client: tables._client, TableName }
  }

  return {
    async signedOutBefore (owner: string, deadline: number): Promise<number> {
      let now = clock.now()
      let known = seen.get(owner)
      if (known && now - known.readAt < settings.revocationCheckSeconds * 1000) return known.before
      let { client, TableName } = await db(deadline)
      let { Item } = await bounded(() => client.GetItem({ TableName, Key: { _idx: keyOf(owner) }, ConsistentRead: true }), deadline)
      let before = typeof Item?._before === 'number' ? Item._before : 0
      seen.set(owner, { before, readAt: now })
      return before
    },

    async signOut (owner: string, before: number, deadline: number): Promise<void> {
      let { client, TableName } = await db(deadline)
      // Kept as long as a session signed in before it could live; DynamoDB's sweep removes it then
      let Item = { _idx: keyOf(owner), _before: before, _ttl: Math.ceil(before / 1000) + settings.absoluteSeconds }
      await bounded(() => client.PutItem({ TableName, Item }), deadline)
      // What this Lambda wrote, it need not read back. (Each route is a Lambda of its own, so only
      // this route's later requests gain: they would read the same value.)
      // Stryker disable next-line ObjectLiteral,CallExpression: as the line above says, it would read the same value
      seen.set(owner, { before, readAt: clock.now() })
    },
  }
}
