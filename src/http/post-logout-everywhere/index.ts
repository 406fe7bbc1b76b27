// POST /logout/everywhere: ends every session of the account, this one too. The answers are in src/shared/auth/devices.ts.
import { withAppSession } from '../../shared/app.ts'
import { endEverywhere } from '../../shared/auth/devices.ts'

export const handler = withAppSession(endEverywhere)
