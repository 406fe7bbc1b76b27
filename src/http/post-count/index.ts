// POST /count: adds `by` (1 to 100, default 1) to the visitor's count.
import { badInput, done, withAppSession } from '../../shared/app.ts'
import { readFields } from '../../shared/http.ts'

export const handler = withAppSession(async (event, session) => {
  let body = readFields(event)
  if (!body.ok) return badInput(event, body.error)

  // Forms send text, JSON clients a number; accept either spelling of a whole number
  let raw = body.fields.by === undefined ? 1 : body.fields.by
  let by = typeof raw === 'string' && /^\d{1,3}$/.test(raw) ? Number(raw) : raw
  if (typeof by !== 'number' || !Number.isInteger(by) || by < 1 || by > 100) {
    return badInput(event, '"by" must be a whole number from 1 to 100')
  }
  return done(event, session, { ...session.data, count: session.data.count + by })
})
