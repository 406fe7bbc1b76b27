// POST /passkeys/login/options: a challenge to sign in with a passkey. The ceremony is in src/shared/auth/passkeys.ts.
import { AppSession } from '../../shared/app.ts'
import { loginOptions, orUnavailable } from '../../shared/auth/passkeys.ts'
import { withSession } from '../../shared/session.ts'

export const handler = withSession(AppSession, orUnavailable(loginOptions))
