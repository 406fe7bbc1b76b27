// POST /sessions/end: ends one of the account's sessions, by its handle (table mode). The answers are in src/shared/auth/devices.ts.
import { withAppSession } from '../../shared/app.ts'
import { endOne } from '../../shared/auth/devices.ts'

export const handler = withAppSession(endOne)
