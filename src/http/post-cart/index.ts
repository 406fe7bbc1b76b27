// POST /cart: adds `item` to the visitor's cart. A cart is the classic session that grows,
// so this is also the route where the session size limit shows (see MAX_RECORD_BYTES).
import { badInput, done, withAppSession } from '../../shared/app.ts'
import { readFields, textField } from '../../shared/http.ts'

export const handler = withAppSession(async (event, session) => {
  let body = readFields(event)
  if (!body.ok) return badInput(event, body.error)

  let item = textField(body.fields, 'item', 100)
  if (!item) return badInput(event, 'An item must be 1 to 100 printable characters')
  return done(event, session, { ...session.data, cart: [ ...session.data.cart, item ] })
})
