// GET /passkeys: the account's passkeys. The answer is in src/shared/auth/your-passkeys.ts.
import { withAppSession } from '../../shared/app.ts'
import { listPasskeys } from '../../shared/auth/your-passkeys.ts'

export const handler = withAppSession(listPasskeys)
