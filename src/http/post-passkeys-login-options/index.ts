// POST /passkeys/login/options: a challenge to sign in with a passkey. The ceremony is in src/shared/auth/passkeys.ts.
import { withAppSession } from '../../shared/app.ts'
import { loginOptions, orUnavailable } from '../../shared/auth/passkeys.ts'

export const handler = withAppSession(orUnavailable(loginOptions))
