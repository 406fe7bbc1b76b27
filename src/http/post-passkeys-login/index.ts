// POST /passkeys/login: checks the passkey's answer and signs in. The ceremony is in src/shared/auth/passkeys.ts.
import { withAppSession } from '../../shared/app.ts'
import { login, orUnavailable } from '../../shared/auth/passkeys.ts'

export const handler = withAppSession(orUnavailable(login))
