// POST /logout: ends the session. Table mode deletes the row; cookie mode can only clear the cookie.
import * as v from 'valibot'
import { AppSession, state, withAppSession } from '../../shared/app.ts'
import { json, redirect, wantsJson } from '../../shared/http.ts'

export const handler = withAppSession(async (event, session) => {
  // JSON clients see the state a new visitor starts from: the schema's defaults
  let signedOut = { ...session, data: v.parse(AppSession, {}), flash: null }
  let response = wantsJson(event) ? json(200, state(signedOut)) : redirect('/')
  return { ...response, destroy: true }
})
