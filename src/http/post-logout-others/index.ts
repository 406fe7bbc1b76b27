// POST /logout/others: ends every other session of the account; this one stays. The answers are in src/shared/auth/devices.ts.
import { withAppSession } from '../../shared/app.ts'
import { endOthers } from '../../shared/auth/devices.ts'

export const handler = withAppSession(endOthers)
