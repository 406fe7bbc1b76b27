// POST /passkeys/verify/options: starts a signed-in user's fresh check. The ceremony is in src/shared/auth/passkeys.ts.
import { withAppSession } from '../../shared/app.ts'
import { orUnavailable, verifyOptions } from '../../shared/auth/passkeys.ts'

export const handler = withAppSession(orUnavailable(verifyOptions))
