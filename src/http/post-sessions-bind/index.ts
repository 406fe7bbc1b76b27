// POST /sessions/bind: a browser binds its signed-in session to a key of its own (DBSC). The answer is in src/shared/auth/binding.ts.
import { withAppSession } from '../../shared/app.ts'
import { bind } from '../../shared/auth/binding.ts'

export const handler = withAppSession(bind)
