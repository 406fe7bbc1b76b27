// POST /logout: ends the session. Table mode deletes the row; cookie mode can only clear the cookie.
import { json, redirect, wantsJson } from '../../shared/http.ts'
import { defaults } from '../../shared/app.ts'
import { withSession } from '../../shared/session.ts'

export const handler = withSession(defaults, async (event, session) => {
  let response = wantsJson(event) ? json(200, { mode: session.mode, count: 0, user: null, flash: null }) : redirect('/')
  return { ...response, destroy: true }
})
