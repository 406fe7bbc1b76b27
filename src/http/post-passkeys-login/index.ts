// POST /passkeys/login: checks the passkey's answer and signs in. The answers are in src/shared/auth/passkey-answers.ts.
import { withAppSession } from '../../shared/app.ts'
import { login } from '../../shared/auth/passkey-answers.ts'
import { orUnavailable } from '../../shared/auth/passkeys.ts'

export const handler = withAppSession(orUnavailable(login))
