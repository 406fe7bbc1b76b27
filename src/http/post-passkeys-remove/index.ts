// POST /passkeys/remove: removes one of the account's passkeys, after a fresh check. The answer is in src/shared/auth/your-passkeys.ts.
import { withAppSession } from '../../shared/app.ts'
import { removeOne } from '../../shared/auth/your-passkeys.ts'

export const handler = withAppSession(removeOne)
