// Your passkeys (src/shared/auth/your-passkeys.ts): listed, renamed and removed, over HTTP, in
// both modes; a stale removal is in fresh-check.test.ts.
import test from 'tape'
import { start, end } from '../helpers/sandbox.ts'
import { visitor, JSON_HEADERS, type Visitor } from '../helpers/browser-like.ts'
import { askOver, authenticator, SANDBOX_ORIGIN, signIn, signUp, uniqueName } from '../helpers/passkeys.ts'
import type { CreationOptions } from '../helpers/authenticator.ts'

interface Listed { id: string, name: string, createdAt: number, lastUsedAt: number | null, synced: boolean, current: boolean }
type List = { userId: string | null, passkeys: Listed[] }

const CHROME = { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36' }
const FIREFOX = { 'user-agent': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0' }

const listOf = async (browser: Visitor) => (await browser.get('/passkeys', JSON_HEADERS)).json<List>()

test('start Sandbox', start)

test('GET /passkeys lists the account\'s passkeys, named where they were made; adding one excludes those it has; each says which one this session used', async t => {
  let laptop = authenticator(SANDBOX_ORIGIN)
  let phone = authenticator(SANDBOX_ORIGIN, { synced: true })
  let first = visitor()
  let before = Date.now()
  t.equal((await signUp(askOver(first, CHROME), laptop, uniqueName('Keys'))).status, 200, 'signed up in Chrome')
  let list = await listOf(first)
  t.deepEqual(list.passkeys.map(({ id, name, lastUsedAt, synced, current }) => ({ id, name, lastUsedAt, synced, current })),
    [ { id: laptop.credentials[0].id, name: 'Chrome on Linux', lastUsedAt: null, synced: false, current: true } ], 'one passkey: named where it was made, never used to sign in, not synced, this session\'s')
  t.ok(list.passkeys[0].createdAt >= before && list.passkeys[0].createdAt <= Date.now(), 'made just now (ms since epoch)')
  t.equal(typeof list.userId, 'string', 'and the user handle, for the browser\'s Signal API')

  let options = await askOver(first, FIREFOX)('/passkeys/register/options', {})
  t.deepEqual((options.body as { excludeCredentials: { id: string }[] }).excludeCredentials.map(c => c.id), [ laptop.credentials[0].id ], 'adding a passkey: the options exclude the one the account has')
  let added = await askOver(first, FIREFOX)('/passkeys/register', phone.create(options.body as unknown as CreationOptions))
  t.equal(added.status, 200, 'a second passkey, from a synced authenticator')
  let second = visitor()
  t.equal((await signIn(askOver(second, FIREFOX), phone)).status, 200, 'which signs in another browser')
  let seen = await listOf(second)
  t.deepEqual(seen.passkeys.map(p => [ p.name, p.synced, p.current ]), [ [ 'Chrome on Linux', false, false ], [ 'Firefox on Windows', true, true ] ], 'that browser\'s list: oldest first; the phone\'s is synced (backed up), and current there')
  t.ok(seen.passkeys[1].lastUsedAt, 'with the time it was last used')

  let anonymous = await visitor().get('/passkeys', JSON_HEADERS)
  t.deepEqual([ anonymous.status, anonymous.json().error ], [ 401, 'Sign in to see your passkeys' ], 'signed out: 401')
})

test('rename: 1 to 40 printable characters, only the account\'s own; remove: never the last, only the account\'s own, and it no longer signs in', async t => {
  let laptop = authenticator(SANDBOX_ORIGIN)
  let key = authenticator(SANDBOX_ORIGIN)
  let owner = visitor()
  await signUp(askOver(owner, CHROME), laptop, uniqueName('Owner'))
  let options = await askOver(owner)('/passkeys/register/options', {})
  await askOver(owner)('/passkeys/register', key.create(options.body as unknown as CreationOptions))
  let [ laptopId, keyId ] = [ laptop.credentials[0].id, key.credentials[0].id ]
  let stranger = visitor()
  let strangers = authenticator(SANDBOX_ORIGIN)
  await signUp(askOver(stranger), strangers, uniqueName('Stranger'))

  let renamed = await owner.post('/passkeys/rename', { id: keyId, name: 'The blue key' }, JSON_HEADERS)
  t.deepEqual([ renamed.status, renamed.json<List>().passkeys.map(p => p.name) ], [ 200, [ 'Chrome on Linux', 'The blue key' ] ], 'renamed: 200 and the list')
  for (let [ label, name ] of [ [ 'empty', '' ], [ '41 characters', 'x'.repeat(41) ], [ 'a control character', 'a\u0007b' ], [ 'not a string', 7 ] ] as const) {
    let bad = await owner.post('/passkeys/rename', { id: keyId, name }, JSON_HEADERS)
    t.deepEqual([ bad.status, bad.json().error ], [ 400, 'A passkey\'s name must be 1 to 40 printable characters' ], `${label}: 400`)
  }
  t.equal((await owner.post('/passkeys/rename', { name: 'x' }, JSON_HEADERS)).status, 400, 'no id: 400')
  let foreign = await stranger.post('/passkeys/rename', { id: keyId, name: 'Mine now' }, JSON_HEADERS)
  t.deepEqual([ foreign.status, foreign.json().error ], [ 404, 'None of your passkeys has that id; it may have been removed already' ], 'another account\'s passkey: 404')
  t.equal((await owner.post('/passkeys/rename', { id: 'bm8tc3VjaC1rZXk', name: 'x' }, JSON_HEADERS)).status, 404, 'an unknown id: 404')
  t.deepEqual((await listOf(owner)).passkeys.map(p => p.name), [ 'Chrome on Linux', 'The blue key' ], 'and nothing changed')

  let taken = await stranger.post('/passkeys/remove', { id: keyId }, JSON_HEADERS)
  t.equal(taken.status, 404, 'another account removing it: 404')
  let removed = await owner.post('/passkeys/remove', { id: keyId }, JSON_HEADERS)
  t.deepEqual([ removed.status, removed.json<List>().passkeys.map(p => p.id) ], [ 200, [ laptopId ] ], 'removed: 200 and the list without it')
  let refused = await signIn(askOver(visitor()), key)
  t.deepEqual([ refused.status, refused.body ], [ 401, { error: 'That passkey is not registered here', unknownCredential: keyId } ], 'the removed passkey no longer signs in, and the refusal names it for signalUnknownCredential')
  let last = await owner.post('/passkeys/remove', { id: laptopId }, JSON_HEADERS)
  t.deepEqual([ last.status, last.json().error ], [ 409, 'This is your account\'s only passkey: add another before you remove it' ], 'the last passkey: 409')
  t.equal((await signIn(askOver(visitor()), laptop)).status, 200, 'and it still signs in')
  t.equal((await signIn(askOver(visitor()), strangers)).status, 200, 'as does the other account\'s')

  let events = (await owner.get('/activity', JSON_HEADERS)).json<{ events: { type: string, passkey?: string }[] }>().events
  t.deepEqual(events.filter(e => e.type.startsWith('passkey-')).map(e => [ e.type, e.passkey ]), [ [ 'passkey-removed', keyId.slice(0, 8) ], [ 'passkey-renamed', keyId.slice(0, 8) ], [ 'passkey-added', keyId.slice(0, 8) ] ], 'the account\'s activity has each, newest first')
})

test('end Sandbox', end)
