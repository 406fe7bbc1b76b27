// POST /passkeys/register: checks the new passkey; a sign-up is signed in. The ceremony is in src/shared/auth/passkeys.ts.
import { withAppSession } from '../../shared/app.ts'
import { register, orUnavailable } from '../../shared/auth/passkeys.ts'

export const handler = withAppSession(orUnavailable(register))
