// POST /sessions/bind/refresh: a bound session's browser gets a new bound cookie by signing a challenge (DBSC). The answer is in src/shared/auth/binding.ts.
import { withAppSession } from '../../shared/app.ts'
import { refresh } from '../../shared/auth/binding.ts'

// Its requests arrive without a live bound cookie: giving one back is what this route is for
export const handler = withAppSession(refresh, { refreshesBinding: true })
