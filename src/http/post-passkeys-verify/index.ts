// POST /passkeys/verify: checks the passkey's answer and records the check in the session. The ceremony is in src/shared/auth/passkeys.ts.
import { withAppSession } from '../../shared/app.ts'
import { orUnavailable, verify } from '../../shared/auth/passkeys.ts'

export const handler = withAppSession(orUnavailable(verify))
