// POST /passkeys/register: checks the new passkey; a sign-up is signed in. The ceremony is in src/shared/auth/passkeys.ts.
import { AppSession } from '../../shared/app.ts'
import { register, orUnavailable } from '../../shared/auth/passkeys.ts'
import { withSession } from '../../shared/session.ts'

export const handler = withSession(AppSession, orUnavailable(register))
