// A signed-in session whose last passkey check is an hour old, made from a live one behind the
// app's back: a real browser's Sandbox runs on the real clock, so this is how the e2e meets a
// session that needs a fresh check (src/shared/auth/fresh.ts).
import jwt from 'node-webtokens'
import { seal } from './jwe.ts'
import { getRow, putRow } from './table.ts'

const HOUR = 3_600_000

interface User { since: number, checked?: number }
const aged = ({ checked: _checked, ...user }: User): User => ({ ...user, since: user.since - HOUR })

/**
 * The same session, its sign-in an hour older and no check since. `value` is the `_idx` cookie's
 * value, percent-decoded; the answer is the value to send from now on (table mode changes the row, not the cookie)
 */
export async function staleCopy (value: string, mode: 'cookie' | 'table', secret: string): Promise<string> {
  if (mode === 'table') {
    let row = await getRow(value.slice(0, value.indexOf('.')))
    if (!row) throw new Error('no row for that cookie')
    await putRow({ ...row, user: aged(row.user as User) })
    return value
  }
  let { payload } = jwt.parse(value).verify(Buffer.from(secret.slice(0, 32)).toString('base64'))
  if (!payload) throw new Error('that cookie does not open with the secret')
  return seal({ ...payload, user: aged(payload.user as User) }, secret)
}
