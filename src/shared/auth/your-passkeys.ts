// The account's passkeys, which its owner can see, name and remove: GET /passkeys, POST
// /passkeys/rename and POST /passkeys/remove (JSON; the page's script shows them as a section of
// the page). Removing one needs a fresh check (fresh.ts): a copied cookie must not remove the
// owner's passkeys. The last one cannot go (409): the account could never be signed in to again.
import type { APIGatewayProxyEventV2 as Event } from 'aws-lambda'
import type { AppData } from '../app.ts'
import { json, readFields, redirect, textField, wantsJson } from '../http.ts'
import type { Reply, Session } from '../session.ts'
import { dropPasskey, findAccount, findPasskey, passkeysOf, renamePasskey, type Passkey } from './accounts.ts'
import { passkeyLabel, record } from './activity.ts'
import { checkFirst, isFresh } from './fresh.ts'

type Answer = Promise<Reply<AppData>>
type User = NonNullable<AppData['user']>

/** One passkey as GET /passkeys lists it; times in ms since epoch */
export interface Listed {
  id: string
  name: string
  createdAt: number
  lastUsedAt: number | null
  /** Backed up (a synced passkey: iCloud Keychain, Google Password Manager…), as the authenticator said at registration */
  synced: boolean
  /** The passkey this session signed in with */
  current: boolean
}

const SIGN_IN_FIRST = 'Sign in to see your passkeys'
const NOT_YOURS = 'None of your passkeys has that id; it may have been removed already'

/** What GET /passkeys answers: the user handle (for the browser's Signal API) and the passkeys, oldest first */
async function listOf (user: User, without?: string) {
  // The index is eventually consistent: a passkey just removed may still be in it for a moment
  let passkeys = (await passkeysOf(user.account)).filter(passkey => passkey.id !== without)
  return {
    userId: passkeys[0]?.userId ?? null,
    passkeys: passkeys.sort((a, b) => a.created - b.created).map((passkey: Passkey): Listed => ({
      id: passkey.id, name: passkey.name, createdAt: passkey.created, lastUsedAt: passkey.lastUsed,
      synced: passkey.backedUp, current: passkey.id === user.passkey,
    })),
  }
}

/** GET /passkeys: `{ userId, passkeys, hasRecoveryCode }`, whatever is asked (the page's script asks for it) */
export async function listPasskeys (_event: Event, session: Session<AppData>): Answer {
  let user = session.data.user
  if (!user) return json(401, { error: SIGN_IN_FIRST })
  let [ list, account ] = await Promise.all([ listOf(user), findAccount(user.account) ])
  return json(200, { ...list, hasRecoveryCode: account?.recoveryHash !== undefined })
}

/** POST /passkeys/rename with `{ id, name }`: 1 to 40 printable characters */
export async function renameOne (event: Event, session: Session<AppData>): Answer {
  let asked = askedFor(event, session)
  if ('refused' in asked) return asked.refused
  let { user, id, fields } = asked
  let name = textField(fields, 'name', 40)
  if (!name) return deny(event, 400, 'A passkey\'s name must be 1 to 40 printable characters')
  let passkey = await findPasskey(id)
  if (passkey?.account !== user.account || !await renamePasskey(id, name)) return deny(event, 404, NOT_YOURS)
  await record(event, user.account, { type: 'passkey-renamed', device: user.device, passkey: passkeyLabel(id) })
  return json(200, await listOf(user))
}

/** POST /passkeys/remove with `{ id }`: needs a fresh check, and never takes the last one */
export async function removeOne (event: Event, session: Session<AppData>): Answer {
  let asked = askedFor(event, session)
  if ('refused' in asked) return asked.refused
  let { user, id } = asked
  if (!isFresh(user)) return checkFirst(event)
  let passkey = await findPasskey(id)
  if (passkey?.account !== user.account) return deny(event, 404, NOT_YOURS)
  let others = (await passkeysOf(user.account)).filter(other => other.id !== id)
  if (others.length === 0) return deny(event, 409, 'This is your account\'s only passkey: add another before you remove it')
  await dropPasskey(id)
  await record(event, user.account, { type: 'passkey-removed', device: user.device, passkey: passkeyLabel(id) })
  return json(200, await listOf(user, id))
}

/** The signed-in user, the body's fields and the passkey id they name, or the refusal */
function askedFor (event: Event, session: Session<AppData>): { refused: Reply<AppData> } | { user: User, id: string, fields: Record<string, unknown> } {
  let user = session.data.user
  if (!user) return { refused: deny(event, 401, SIGN_IN_FIRST) }
  let body = readFields(event)
  if (!body.ok) return { refused: deny(event, 400, body.error) }
  let id = textField(body.fields, 'id', 1364)
  if (!id) return { refused: deny(event, 400, 'Say which passkey: "id"') }
  return { user, id, fields: body.fields }
}

/** A request the visitor may not make: a 4xx with `{ error }`, or a message on the page */
function deny (event: Event, status: number, message: string): Reply<AppData> {
  return wantsJson(event) ? json(status, { error: message }) : { ...redirect('/'), flash: message }
}
