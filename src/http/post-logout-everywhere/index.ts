// POST /logout/everywhere: ends every session of the account, this one too. The answers are in src/shared/auth/devices.ts.
import { AppSession } from '../../shared/app.ts'
import { endEverywhere } from '../../shared/auth/devices.ts'
import { withSession } from '../../shared/session.ts'

export const handler = withSession(AppSession, endEverywhere)
