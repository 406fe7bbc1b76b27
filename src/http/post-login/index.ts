// POST /login: signs the visitor in under a name, with a brand-new session identity.
import { AppSession, badInput, done } from '../../shared/app.ts'
import { readFields, textField } from '../../shared/http.ts'
import { clock } from '../../shared/session/clock.ts'
import { withSession } from '../../shared/session.ts'

export const handler = withSession(AppSession, async (event, session) => {
  let body = readFields(event)
  if (!body.ok) return badInput(event, body.error)

  let name = textField(body.fields, 'name', 40)
  if (!name) return badInput(event, 'Your name must be 1 to 40 printable characters')

  // This sample has no passwords: every name signs in. A real app checks credentials here.
  let user = { name, since: clock.now() }
  // regenerate: a session id (or cookie) an attacker planted before sign-in becomes worthless
  return { ...done(event, session, { ...session.data, user }), regenerate: true }
})
