// The bound cookie's check (src/shared/session/binding.ts), which every request of a bound session
// runs: a valid one is remembered by its value, so the cases that matter are the ones the memory
// must not answer wrongly.
import test from 'tape'
import { boundCookieName, boundValue, hasBoundCookie } from '../../src/shared/session/binding.ts'
import { readSettings, type Settings } from '../../src/shared/session/config.ts'
import { event } from '../helpers/lambda.ts'
import { randomSecret } from '../helpers/secrets.ts'

function settingsFor (env: Record<string, string> = {}): Settings {
  let setup = readSettings({ ARC_APP_SECRET: randomSecret(), ...env })
  if (!setup.ok) throw new Error(setup.problem)
  return setup.settings
}

const NOW = Date.now()
const settings = settingsFor()
const live = boundValue(settings, 'session-a', NOW + 600_000)
const sent = (cookie: string) => event({ cookie })

test('a live bound cookie for this session passes, wherever it is among the cookies, twice over (the second from memory)', t => {
  t.ok(hasBoundCookie(sent(`_idx=x; _bound=${live}`), settings, 'session-a', NOW), 'after the session cookie')
  t.ok(hasBoundCookie(sent(`_bound=${live}; theme=dark`), settings, 'session-a', NOW), 'first, and again once remembered')
  let header = { ...event({}), cookies: undefined, headers: { host: 'localhost:3333', cookie: `a=1;  _bound=${live}` } }
  t.ok(hasBoundCookie(header, settings, 'session-a', NOW), 'in a Cookie header, with spaces around the pair')
  t.end()
})

test('the same value, once remembered as valid, opens no other session, and none once it has expired', t => {
  t.ok(hasBoundCookie(sent(`_bound=${live}`), settings, 'session-a', NOW), 'session a: remembered as valid')
  t.notOk(hasBoundCookie(sent(`_bound=${live}`), settings, 'session-b', NOW), 'sent with session b: refused')
  t.notOk(hasBoundCookie(sent(`_bound=${live}`), settings, 'session-a', NOW + 600_000), 'session a at its expiry: refused')
  t.notOk(hasBoundCookie(sent(`_bound=${live}`), settingsFor(), 'session-a', NOW), 'under another secret: refused')
  t.end()
})

test('anything but a live bound cookie under its own name is refused', t => {
  let [ expires, tag ] = live.split('.')
  let cases: [string, string][] = [
    [ 'no bound cookie', '_idx=x' ],
    [ 'another name ending in the bound name', `x_bound=${live}` ],
    [ 'the expiry moved later', `_bound=${Number(expires) + 1000}.${tag}` ],
    [ 'no MAC', `_bound=${expires}` ],
    [ 'an empty MAC', `_bound=${expires}.` ],
    [ 'a 12-digit expiry', `_bound=${expires.slice(1)}.${tag}` ],
    [ 'a MAC with a byte changed', `_bound=${expires}.${tag.slice(0, -1)}${tag.endsWith('A') ? 'B' : 'A'}` ],
    [ 'the deployed name, locally', `__Host-bound=${live}` ],
  ]
  for (let [ label, cookie ] of cases) t.notOk(hasBoundCookie(sent(cookie), settings, 'session-a', NOW), label)
  t.equal(boundCookieName(settingsFor({ ARC_ENV: 'production' })), '__Host-bound', 'deployed, the cookie is __Host-bound')
  t.end()
})
