// POST /passkeys/register: checks the new passkey; a sign-up is signed in. The answers are in src/shared/auth/passkey-answers.ts.
import { withAppSession } from '../../shared/app.ts'
import { register } from '../../shared/auth/passkey-answers.ts'
import { orUnavailable } from '../../shared/auth/passkeys.ts'

export const handler = withAppSession(orUnavailable(register))
