// POST /sessions/end: ends one of the account's sessions, by its handle (table mode). The answers are in src/shared/auth/devices.ts.
import { AppSession } from '../../shared/app.ts'
import { endOne } from '../../shared/auth/devices.ts'
import { withSession } from '../../shared/session.ts'

export const handler = withSession(AppSession, endOne)
