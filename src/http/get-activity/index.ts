// GET /activity: the account's security activity, newest first. The answer is in src/shared/auth/devices.ts.
import { withAppSession } from '../../shared/app.ts'
import { listActivity } from '../../shared/auth/devices.ts'

export const handler = withAppSession(listActivity)
