// POST /passkeys/register/options: options to make a passkey (sign up, or add one when signed in). The ceremony is in src/shared/auth/passkeys.ts.
import { AppSession } from '../../shared/app.ts'
import { registrationOptions, orUnavailable } from '../../shared/auth/passkeys.ts'
import { withSession } from '../../shared/session.ts'

export const handler = withSession(AppSession, orUnavailable(registrationOptions))
