// POST /logout: ends the session. Table mode deletes the row; cookie mode can only clear the cookie.
import { defaults, state } from '../../shared/app.ts'
import { json, redirect, wantsJson } from '../../shared/http.ts'
import { withSession } from '../../shared/session.ts'

export const handler = withSession(defaults, async (event, session) => {
  let response = wantsJson(event) ? json(200, state({ ...session, data: defaults, flash: null })) : redirect('/')
  return { ...response, destroy: true }
})
