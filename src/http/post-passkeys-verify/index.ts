// POST /passkeys/verify: checks the passkey's answer and records the check in the session. The answers are in src/shared/auth/passkey-answers.ts.
import { withAppSession } from '../../shared/app.ts'
import { verify } from '../../shared/auth/passkey-answers.ts'
import { orUnavailable } from '../../shared/auth/passkeys.ts'

export const handler = withAppSession(orUnavailable(verify))
