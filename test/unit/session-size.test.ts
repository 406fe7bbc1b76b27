// Why MAX_RECORD_BYTES is 2800: the biggest session we accept must still fit the 4096-byte cookie
// that every browser keeps, once sealed into a JWE and given its attributes.
import test from 'tape'
import { cookieStore } from '../../src/shared/session/cookie-store.ts'
import { readSettings } from '../../src/shared/session/config.ts'
import { setCookie } from '../../src/shared/session/cookies.ts'
import { MAX_RECORD_BYTES } from '../../src/shared/session.ts'
import { randomSecret } from '../helpers/secrets.ts'

test('the largest session we accept still makes a Set-Cookie of at most 4096 bytes', async t => {
  let setup = readSettings({ ARC_ENV: 'production', ARC_APP_SECRET: randomSecret() })
  if (!setup.ok) throw new Error(setup.problem)
  let record = { cart: [ '' ], _renewed: Date.now(), _since: Date.now(), _flash: 'x' }
  let padding = MAX_RECORD_BYTES - Buffer.byteLength(JSON.stringify(record))
  record.cart[0] = 'x'.repeat(padding)
  t.equal(Buffer.byteLength(JSON.stringify(record)), MAX_RECORD_BYTES, 'a record of exactly the limit')

  let token = await cookieStore(setup.settings).save(record, null, false, Infinity)
  let header = setCookie({ statusCode: 200 }, setup.settings, setup.settings.cookie.name, token, 604800).cookies?.[0] ?? ''
  t.ok(header.length <= 4096, `Set-Cookie is ${header.length} bytes`)
  t.ok(header.length > 3500, 'and the limit is not needlessly low')
})
