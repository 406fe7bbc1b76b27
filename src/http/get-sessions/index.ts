// GET /sessions: the account's sessions (every one in table mode, this one in cookie mode). The answers are in src/shared/auth/devices.ts.
import { withAppSession } from '../../shared/app.ts'
import { listSessions } from '../../shared/auth/devices.ts'

export const handler = withAppSession(listSessions)
