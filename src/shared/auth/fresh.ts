// A fresh check before what keeps an attacker in. Whoever holds a copy of a signed-in cookie can
// do what the session can; adding a passkey of their own, or signing everyone else out, would
// keep them in after every sign-out. So those need a passkey check within SESSION_FRESH_SECONDS
// (300 by default): the sign-in itself, or POST /passkeys/verify. Freshness counts from the last
// check, never from the sign-in alone (Better Auth #7472).
import type { APIGatewayProxyEventV2 as Event } from 'aws-lambda'
import type { AppData } from '../app.ts'
import { json, redirect, wantsJson } from '../http.ts'
import { clock } from '../session/clock.ts'
import type { Reply } from '../session.ts'
import { wholeNumber } from './settings.ts'

type User = NonNullable<AppData['user']>

const FRESH_MS = wholeNumber(process.env, 'SESSION_FRESH_SECONDS', 300) * 1000

/** When the user last proved it was them with a passkey: a check, or else the sign-in */
export const lastCheck = (user: User): number => user.checked ?? user.since

/** Whether that was recent enough for an action that keeps an attacker in */
export const isFresh = (user: User): boolean => clock.now() - lastCheck(user) <= FRESH_MS

/**
 * The refusal until a fresh check: a 403 with `reauthenticate: true`, on which the page's script
 * runs the check and asks again; a form posted without the script is sent back with a message
 */
export function checkFirst (event: Event): Reply<AppData> {
  let error = 'Confirm it is you with your passkey first, then try again'
  return wantsJson(event) ? json(403, { error, reauthenticate: true }) : { ...redirect('/'), flash: `${error} (it needs JavaScript)` }
}
