// GET /: the counter page, or its state as JSON for `Accept: application/json`.
import { state, withAppSession } from '../../shared/app.ts'
import { html, json, wantsJson } from '../../shared/http.ts'
import { page, STYLE } from './page.ts'
import { SCRIPT } from './script.ts'

export const handler = withAppSession(async (event, session) => {
  return wantsJson(event) ? json(200, state(session)) : html(200, page(session), [ STYLE ], [ SCRIPT ])
})
