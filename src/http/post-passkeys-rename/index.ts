// POST /passkeys/rename: names one of the account's passkeys. The answer is in src/shared/auth/your-passkeys.ts.
import { withAppSession } from '../../shared/app.ts'
import { renameOne } from '../../shared/auth/your-passkeys.ts'

export const handler = withAppSession(renameOne)
