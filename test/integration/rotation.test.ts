// Rotating ARC_APP_SECRET without signing everyone out: the old secret moves to
// ARC_APP_SECRET_PREVIOUS, sessions made with it still work and are re-issued under the new one.
import test from 'tape'
import jwt from 'node-webtokens'
import { sign, unsign } from 'cookie-signature'
import { start, end, mode, devSecret } from '../helpers/sandbox.ts'
import { visitor, cookieValue, JSON_HEADERS } from '../helpers/browser-like.ts'
import { putRow } from '../helpers/table.ts'
import { randomSecret } from '../helpers/secrets.ts'

const NEW_SECRET = randomSecret()
const UNKNOWN_SECRET = randomSecret()

const jweKey = (secret: string) => Buffer.from(secret.slice(0, 32)).toString('base64')

/** A cookie for a session with count 4, made the way the app makes it, under `secret` (so that is its only reason to be re-issued) */
async function cookieUnder (secret: string, id: string): Promise<string> {
  let session = { count: 4, _renewed: Date.now(), _since: Date.now(), _aud: 'arc-sessions/testing' }
  if (mode === 'cookie') {
    return `_idx=${jwt.generate('dir', 'A256GCM', session, jweKey(secret))}`
  }
  await putRow({ _idx: id, _secret: 'x', _ttl: Math.floor(Date.now() / 1000) + 3600, _version: 1, ...session })
  return `_idx=${encodeURIComponent(sign(id, secret))}`
}

/** Whether a cookie value was made with `secret` */
function madeWith (value: string, secret: string): boolean {
  return mode === 'cookie'
    ? jwt.parse(value).verify(jweKey(secret)).valid === true
    : unsign(value, secret) !== false
}

test('start Sandbox mid-rotation: a new ARC_APP_SECRET, the old one as ARC_APP_SECRET_PREVIOUS', async t => {
  await start(t, { ARC_APP_SECRET: NEW_SECRET, ARC_APP_SECRET_PREVIOUS: await devSecret(), ARC_SESSION_TTL: '604800' })
})

test('a session made with the previous secret still works, and is re-issued under the new one', async t => {
  let browser = visitor(await cookieUnder(await devSecret(), 'rotated-row-00000000000'))
  let res = await browser.get('/', JSON_HEADERS)
  t.equal(res.json().count, 4, 'the session is read')
  t.ok(res.setCookie, 'a new cookie is sent')
  let value = cookieValue(browser.cookie)
  t.ok(madeWith(value, NEW_SECRET), 'made with the new secret')
  t.notOk(madeWith(value, await devSecret()), 'and not with the old one')

  let again = await browser.get('/', JSON_HEADERS)
  t.equal(again.json().count, 4, 'the re-issued cookie works')
  t.equal(again.setCookie, null, 'and needs no further re-issue')
})

test('a session made with a secret the app never had reads as a fresh session', async t => {
  let res = await visitor(await cookieUnder(UNKNOWN_SECRET, 'unknown-row-00000000000')).get('/', JSON_HEADERS)
  t.equal(res.json().count, 0, 'a fresh session: count 0')
})

test('end Sandbox', end)
