// An owner's sessions (`Reply.owner`, set at sign-in): listed, and one ended from another request.
// Table mode keeps a row per session, found through the session table's `byOwner` index; cookie
// mode keeps no list, and ends an owner's sessions by time (revocations.ts).
import { checkData, splitRecord, type DataOf, type DataSchema } from './data.ts'
import { setup, storeFor } from './setup.ts'
import { isLive } from './store.ts'
import type { Settings } from './config.ts'

/** One of an owner's sessions, as `sessionsOf` lists it */
export interface OwnedSession<Data> {
  handle: string
  /** When the owner signed in to it, and when it was last written (ms since epoch) */
  signedInAt: number
  lastSeenAt: number
  /** Bound to its device (DBSC, binding.ts) */
  bound: boolean
  data: Data
}

// Listing and ending an owner's sessions happens outside any one session's request: each store
// call gets the time a DynamoDB call may take
const OWNED_DEADLINE_MS = 3000

/**
 * Every live session of `owner` (table mode), its data checked against `schema`; null in cookie
 * mode, which keeps no list. Call it from a handler: a failing store is that request's 503.
 */
export async function sessionsOf<S extends DataSchema> (schema: S, owner: string): Promise<OwnedSession<DataOf<S>>[] | null> {
  let settings = settingsOrThrow()
  let records = await (await storeFor(settings)).listOwned(owner, performance.now() + OWNED_DEADLINE_MS)
  if (!records) return null
  return records.flatMap(record => {
    let { meta, fields } = splitRecord(record)
    if (meta.handle === null || meta.audience !== settings.audience || !isLive(meta, settings)) return []
    return [ { handle: meta.handle, signedInAt: meta.since, lastSeenAt: meta.renewed, bound: meta.bound !== null, data: checkData(schema, fields).data } ]
  })
}

/**
 * Ends one of `owner`'s sessions, by its handle, from its next request on (table mode: its row is
 * deleted), and says whether there was one. Cookie mode cannot end one alone, and throws. (To end
 * all the others, a handler answers with `Reply.endOthers`.)
 */
export async function endSession (owner: string, handle: string): Promise<boolean> {
  let settings = settingsOrThrow()
  return (await storeFor(settings)).endOne(owner, handle, performance.now() + OWNED_DEADLINE_MS)
}

function settingsOrThrow (): Settings {
  // (withSession answers 500 before any handler runs when the settings were refused)
  // Stryker disable next-line ConditionalExpression,CallExpression: no handler can call this then
  if (!setup.ok) throw new Error(setup.problem)
  return setup.settings
}
