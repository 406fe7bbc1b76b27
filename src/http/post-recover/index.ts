// POST /recover: signs in with a recovery code, and shows the new one. The answer is in src/shared/auth/recovery.ts.
import { withAppSession } from '../../shared/app.ts'
import { recover } from '../../shared/auth/recovery.ts'

export const handler = withAppSession(recover)
