// POST /passkeys/login: checks the passkey's answer and signs in. The ceremony is in src/shared/auth/passkeys.ts.
import { AppSession } from '../../shared/app.ts'
import { login, orUnavailable } from '../../shared/auth/passkeys.ts'
import { withSession } from '../../shared/session.ts'

export const handler = withSession(AppSession, orUnavailable(login))
