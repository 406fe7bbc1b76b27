// Table mode: a request still in flight while the visitor signs out (or signs in) must not write the
// retired row back, or the old cookie would work again; and a session given a new identity
// (sign-in, or a move to __Host-idx) has at most one descendant. Rows plain arc.http() wrote have no
// `_version` to compare, so the write must also require the row to still exist.
// Cookie mode has no row to bring back: it cannot revoke a cookie at all (see README).
import test from 'tape'
import { sign } from 'cookie-signature'
import { start, end, mode, devSecret } from '../helpers/sandbox.ts'
import { visitor, JSON_HEADERS } from '../helpers/browser-like.ts'
import { allRows, getRow, isRetired, putRow } from '../helpers/table.ts'
import { readSettings } from '../../src/shared/session/config.ts'
import { ConflictError, ENDED, type Loaded, type SessionStore } from '../../src/shared/session/store.ts'
import { tableStore } from '../../src/shared/session/table-store.ts'

let store: SessionStore

/** The session behind a cookie, as a request in flight reads it */
async function live (cookie: string): Promise<Loaded> {
  let loaded = await store.load(cookie, Infinity)
  if (!loaded || loaded === ENDED) throw new Error('the row did not load')
  return loaded
}
let secret = ''

/** A signed-in row as plain arc.http() writes it (no `_version`), and its cookie value */
async function architectRow (id: string, name = 'Ada'): Promise<string> {
  await putRow({ _idx: id, _secret: 'x', _ttl: Math.floor(Date.now() / 1000) + 3600, user: { name, account: name.toLowerCase(), since: Date.now() }, _owner: name.toLowerCase(), _handle: 'sign-out-race-00' })
  return sign(id, secret)
}

/** How many rows hold the session of `name`: every session descended from one row keeps it */
async function sessionsOf (name: string): Promise<number> {
  return (await allRows()).filter(row => (row.user as { name?: string } | undefined)?.name === name).length
}

/** The in-flight request's write, which must lose */
async function lateWrite (t: test.Test, write: Promise<string>) {
  try {
    await write
    t.fail('the late write went through')
  }
  catch (err) {
    t.ok(err instanceof ConflictError, 'the late write is refused as a conflict (the wrapper then re-reads: no session)')
  }
}

if (mode === 'table') {
  test('start Sandbox, and the table store as the handlers use it', async t => {
    await start(t)
    secret = await devSecret()
    let setup = readSettings({ ARC_APP_SECRET: secret, ARC_SESSION_TABLE_NAME: 'session' })
    if (!setup.ok) throw new Error(setup.problem)
    store = tableStore(setup.settings)
  })

  test('a write in flight during sign-out does not bring back a row plain arc.http() wrote', async t => {
    let cookie = await architectRow('race-sign-out-000000000')
    let inFlight = await live(cookie) // a request reads the session...
    await store.remove(inFlight, Infinity) // ...the visitor signs out meanwhile...
    await lateWrite(t, store.save({ ...inFlight.record, count: 9 }, inFlight, false, Infinity)) // ...then the request writes
    t.equal(await getRow('race-sign-out-000000000'), undefined, 'the row stays deleted')
    let replay = await visitor(`_idx=${encodeURIComponent(cookie)}`).get('/', JSON_HEADERS)
    t.equal(replay.json().user, null, 'and the old cookie opens nothing')
  })

  test('a write in flight during sign-in does not bring back the row sign-in retired', async t => {
    let cookie = await architectRow('race-sign-in-0000000000')
    let signingIn = await live(cookie)
    let inFlight = await live(cookie)
    await store.save({ ...signingIn.record, _renewed: Date.now() }, signingIn, true, Infinity) // new id, old row retired
    await lateWrite(t, store.save({ ...inFlight.record, count: 9 }, inFlight, false, Infinity))
    t.ok(isRetired(await getRow('race-sign-in-0000000000')), 'the retired row stays a marker that opens nothing')
  })

  test('a write from before the row\'s last change, landing after a sign-in, does not bring the retired row back', async t => {
    let value = await store.save({ count: 1, _renewed: Date.now() }, null, false, Infinity)
    let stale = await live(value) // a slow request reads version 1...
    let fresh = await live(value)
    await store.save({ ...fresh.record, count: 2 }, fresh, false, Infinity) // ...another writes version 2...
    let signingIn = await live(value)
    await store.save({ ...signingIn.record, _renewed: Date.now() }, signingIn, true, Infinity) // ...the visitor signs in...
    await lateWrite(t, store.save({ ...stale.record, count: 9 }, stale, false, Infinity)) // ...then the slow one writes
    t.ok(isRetired(await getRow(value.split('.')[0])), 'the retired row stays a marker: its version moved past every one read before')
  })

  test('a move to a new identity in flight while the visitor signs out does not bring the session back', async t => {
    let cookie = await architectRow('race-move-sign-out-0000', 'Moving')
    let moving = await live(cookie) // a request reads the session, to give it a new identity...
    await store.remove(moving, Infinity) // ...the visitor signs out meanwhile...
    await lateWrite(t, store.save({ ...moving.record, _renewed: Date.now() }, moving, true, Infinity)) // ...then the move writes
    t.equal(await sessionsOf('Moving'), 0, 'no session survives the sign-out')
  })

  test('two new identities from one session at once (two sign-ins, or two moves): one wins, the other is a conflict', async t => {
    let cookie = await architectRow('race-two-moves-00000000', 'Twice')
    let [ first, second ] = [ await live(cookie), await live(cookie) ]
    await store.save({ ...first.record, _renewed: Date.now() }, first, true, Infinity)
    await lateWrite(t, store.save({ ...second.record, _renewed: Date.now() }, second, true, Infinity))
    t.equal(await sessionsOf('Twice'), 1, 'one session descends from the old one')
  })

  test('end Sandbox', end)
}
