// POST /recover/new: a new recovery code, after a fresh check; the old one is spent. The answer is in src/shared/auth/recovery.ts.
import { withAppSession } from '../../shared/app.ts'
import { newRecoveryCode } from '../../shared/auth/recovery.ts'

export const handler = withAppSession(newRecoveryCode)
