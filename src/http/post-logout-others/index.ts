// POST /logout/others: ends every other session of the account; this one stays. The answers are in src/shared/auth/devices.ts.
import { AppSession } from '../../shared/app.ts'
import { endOthers } from '../../shared/auth/devices.ts'
import { withSession } from '../../shared/session.ts'

export const handler = withSession(AppSession, endOthers)
