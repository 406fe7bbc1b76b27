// Which status means what, and what the log says. In this process (as a warm Lambda runs the
// handlers) so the log can be read; table mode still uses Sandbox's DynamoDB.
import test from 'tape'
import * as v from 'valibot'
import { sign } from 'cookie-signature'
import { start, end, mode, devSecret, inProcess } from '../helpers/sandbox.ts'
import { event, bodyOf, setCookieOf } from '../helpers/lambda.ts'
import { sealSession } from '../helpers/jwe.ts'
import { getRow, putRow } from '../helpers/table.ts'
import type { Handler } from '../helpers/lambda.ts'

const DAY = 24 * 60 * 60 * 1000
const SESSION_TOO_LARGE = 'That would make your session too large to store; nothing was changed'

/** Runs `fn` and returns what it logged */
async function logOf (fn: () => Promise<unknown>): Promise<string> {
  let lines: string[] = []
  let { log, error, warn } = console
  console.log = console.error = console.warn = (...args: unknown[]) => { lines.push(args.join(' ')) }
  try { await fn() }
  finally { Object.assign(console, { log, error, warn }) }
  return lines.join('\n')
}

let getIndex: Handler
let failing: Handler

test('start Sandbox and load the handlers in this process', async t => {
  await start(t)
  getIndex = await inProcess('get-index')
  let { withSession } = await import('../../src/shared/session.ts')
  let { AppSession } = await import('../../src/shared/app.ts')
  failing = withSession(AppSession, async () => {
    throw new TypeError('a bug in this handler')
  })
})

test('a route whose schema has a field without a default fails when it is defined, not on some request', async t => {
  let { withSession } = await import('../../src/shared/session.ts')
  t.throws(() => withSession(v.object({ count: v.number() }), async () => ({ statusCode: 204 })), /needs a default.*count/, 'naming the field')
})

test('a session of exactly the size limit is stored; a byte more answers 413 and stores nothing', async t => {
  let { withSession, MAX_RECORD_BYTES } = await import('../../src/shared/session.ts')
  let { clock } = await import('../../src/shared/session/clock.ts')
  let now = Date.now()
  // What the wrapper adds to the app's data, with the clock stopped so the record's size is known
  let added = { _renewed: now, _since: now, _aud: `${process.env.ARC_APP_NAME}/testing` }
  let room = MAX_RECORD_BYTES - Buffer.byteLength(JSON.stringify({ note: '', ...added }))
  let storing = (note: string) => withSession(v.object({ note: v.optional(v.string(), '') }), async () => ({ statusCode: 204, session: { note } }))
  let realNow = clock.now
  clock.now = () => now
  try {
    let fits = await storing('x'.repeat(room))(event({ method: 'POST', path: '/note', json: {} }))
    t.equal(fits.statusCode, 204, `a record of exactly ${MAX_RECORD_BYTES} bytes: stored`)
    t.ok(setCookieOf(fits), 'with its cookie')
    let over = await storing('x'.repeat(room + 1))(event({ method: 'POST', path: '/note', json: {} }))
    t.equal(over.statusCode, 413, 'a byte more: 413')
    t.equal(setCookieOf(over), null, 'and no cookie')
  }
  finally {
    clock.now = realNow
  }
})

test('a form whose change would make the session too large: a redirect home with the message; the session is kept as it was, sign-in time included', async t => {
  let { withSession } = await import('../../src/shared/session.ts')
  let { clock } = await import('../../src/shared/session/clock.ts')
  let Note = v.object({ note: v.optional(v.string(), '') })
  let noting = withSession(Note, async request => ({ statusCode: 204, session: { note: String(request.body) } }))
  let reading = withSession(Note, async (_event, session) => ({ statusCode: 200, body: JSON.stringify({ note: session.data.note, flash: session.flash }) }))
  let form = (cookie: string, note: string) => {
    let request = event({ method: 'POST', path: '/note', cookie })
    return { ...request, headers: { host: 'localhost:3333', 'content-type': 'text/plain' }, body: note }
  }
  let big = 'x'.repeat(3000)
  let t0 = Date.now()
  let realNow = clock.now
  try {
    clock.now = () => t0
    let first = await noting(form('', big))
    t.deepEqual([ first.statusCode, first.headers?.location ], [ 302, '/' ], 'a new visitor: redirected home')
    t.deepEqual(bodyOf(await reading(event({ cookie: setCookieOf(first) ?? '' }))), { note: '', flash: SESSION_TOO_LARGE }, 'to be told why, with nothing stored')

    let cookie = setCookieOf(await noting(form('', 'kept'))) ?? ''
    // Signed in at t0 and active since: each read renews the idle limit, not the 30-day one
    for (let day = 6; day <= 24; day += 6) {
      clock.now = () => t0 + day * DAY
      cookie = setCookieOf(await reading(event({ cookie }))) || cookie
    }
    clock.now = () => t0 + 25 * DAY
    let refused = await noting(form(cookie, big))
    t.deepEqual([ refused.statusCode, refused.headers?.location ], [ 302, '/' ], 'day 25, a change too large: redirected home')
    t.match(refused.cookies?.[0] ?? '', /Max-Age=432000;/, 'its cookie still ends 30 days after sign-in, 5 days from now')
    t.deepEqual(bodyOf(await reading(event({ cookie: setCookieOf(refused) ?? '' }))), { note: 'kept', flash: SESSION_TOO_LARGE }, 'the note as it was, and the message')
  }
  finally {
    clock.now = realNow
  }
})

test('session.storage tells a handler what the browser holds: nothing for a cookie that opens nothing', async t => {
  let { withSession } = await import('../../src/shared/session.ts')
  let { AppSession } = await import('../../src/shared/app.ts')
  let showing = withSession(AppSession, async (_event, session) => ({ statusCode: 200, body: JSON.stringify(session.storage) }))
  let none = { cookieName: '_idx', cookieBytes: 0, rowId: null, expiresAt: null, handle: null, bound: null }
  t.deepEqual(bodyOf(await showing(event({}))), none, 'no cookie')
  t.deepEqual(bodyOf(await showing(event({ cookie: `_idx=${'x'.repeat(120)}` }))), none, 'a forged cookie: no bytes counted, as if none was sent')
  let cookie = setCookieOf(await (await inProcess('post-count'))(event({ method: 'POST', path: '/count', json: { by: 1 } }))) ?? ''
  let live = bodyOf(await showing(event({ cookie })))
  t.equal(live.cookieBytes, Buffer.byteLength(cookie), 'a live session: the bytes the browser sent')
  t.equal(typeof live.rowId, mode === 'table' ? 'string' : 'object', mode === 'table' ? 'and its row' : 'and no row')
})

test('a reply with only `regenerate: true` gives the session a new identity and keeps its data', async t => {
  let { withSession } = await import('../../src/shared/session.ts')
  let { AppSession } = await import('../../src/shared/app.ts')
  let regenerating = withSession(AppSession, async () => ({ statusCode: 204, regenerate: true }))
  let postCount = await inProcess('post-count')
  let before = setCookieOf(await postCount(event({ method: 'POST', path: '/count', json: { by: 3 } }))) ?? ''
  let after = setCookieOf(await regenerating(event({ method: 'POST', path: '/regenerate', cookie: before })))
  t.ok(after && after !== before, 'a new cookie')
  t.equal(bodyOf(await getIndex(event({ cookie: after ?? '' }))).count, 3, 'carrying the data')
  if (mode === 'table') t.equal(bodyOf(await getIndex(event({ cookie: before }))).count, 0, 'table mode: the old cookie opens nothing')
})

test('a session from before the app-and-stage binding is re-issued on its first read, bound', async t => {
  let secret = await devSecret()
  let fields = { count: 6, _since: Date.now() }
  let cookie = `_idx=${sealSession(fields, secret)}`
  if (mode === 'table') {
    await putRow({ ...fields, _idx: 'unbound-row-000000000000', _secret: 'x', _ttl: Math.floor(Date.now() / 1000) + 3600, _renewed: Date.now(), _version: 1 })
    cookie = `_idx=${encodeURIComponent(sign('unbound-row-000000000000', secret))}`
  }
  let res = await getIndex(event({ cookie }))
  t.equal(bodyOf(res).count, 6, 'it is read')
  t.ok(setCookieOf(res), 'and re-issued at once, with nothing else to change')
  if (mode === 'table') t.equal((await getRow('unbound-row-000000000000'))?._aud, `${process.env.ARC_APP_NAME}/testing`, 'table mode: the row now names its app and stage')
})

test('a handler that throws answers a generic 500, and the log names the route and the error', async t => {
  let res: Awaited<ReturnType<Handler>> | undefined
  let log = await logOf(async () => { res = await failing(event({ method: 'GET', path: '/' })) })
  t.equal(res?.statusCode, 500, '500, not 503: the session store is fine')
  t.deepEqual(bodyOf(res ?? {}), { error: 'Something went wrong on our side; try again later' }, 'a message, no details')
  let line = JSON.parse(log) as Record<string, string>
  t.deepEqual([ line.event, line.route, line.error ], [ 'handler.failed', 'GET /', 'TypeError' ], 'one JSON line: the event, the route and the kind of error')
  t.match(line.message, /a bug in this handler/, 'with the stack')
  t.equal(line.requestId, 'test', 'without a Lambda context, the request id API Gateway gave')
})

test('a request with neither a Lambda nor an API Gateway request id is logged as `local`', async t => {
  let request = event({ method: 'GET', path: '/' })
  let log = await logOf(() => failing({ ...request, requestContext: { ...request.requestContext, requestId: '' } }))
  t.equal((JSON.parse(log) as Record<string, string>).requestId, 'local', 'the log line carries the request id')
})

test('a stored session that fails the schema: one log line naming the fields, never their values', async t => {
  let secret = await devSecret()
  let bound = { _aud: `${process.env.ARC_APP_NAME}/testing`, _since: Date.now() }
  let fields = { count: 'VALUE-ONE', cart: 'VALUE-TWO', user: { name: 'Ada', account: 'ada', since: Date.now() }, _owner: 'ada', _handle: 'errors-logs-0000', ...bound }
  let cookie = `_idx=${sealSession(fields, secret)}`
  if (mode === 'table') {
    await putRow({ ...fields, _idx: 'logged-shape-00000000000', _secret: 'x', _ttl: Math.floor(Date.now() / 1000) + 3600, _renewed: Date.now(), _version: 1 })
    cookie = `_idx=${encodeURIComponent(sign('logged-shape-00000000000', secret))}`
  }
  let res: Awaited<ReturnType<Handler>> | undefined
  let log = await logOf(async () => { res = await getIndex(event({ cookie })) })
  t.equal(res?.statusCode, 200, 'the page answers')
  t.deepEqual(bodyOf(res ?? {}).user, { name: 'Ada' }, 'still signed in')
  t.ok(setCookieOf(res ?? {}), 'and the repaired session is written back, so the next read finds it whole')
  t.equal(log.split('\n').length, 1, 'one line')
  let line = JSON.parse(log) as Record<string, unknown>
  t.deepEqual([ line.event, line.route, line.fields ], [ 'session.data_reset', 'GET /', [ 'count', 'cart' ] ], 'naming the fields')
  t.doesNotMatch(log, /VALUE-|Ada/, 'and none of the values')
})

test('end Sandbox', end)
