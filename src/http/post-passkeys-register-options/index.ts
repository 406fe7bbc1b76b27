// POST /passkeys/register/options: options to make a passkey (sign up, or add one when signed in). The ceremony is in src/shared/auth/passkeys.ts.
import { withAppSession } from '../../shared/app.ts'
import { registrationOptions, orUnavailable } from '../../shared/auth/passkeys.ts'

export const handler = withAppSession(orUnavailable(registrationOptions))
