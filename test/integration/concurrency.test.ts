// Twenty requests at once on one session. Table mode must count every one of them;
// cookie mode cannot (each response carries its own copy), and this test pins down what happens.
import test from 'tape'
import { start, end, mode } from '../helpers/sandbox.ts'
import { visitor, JSON_HEADERS } from '../helpers/browser-like.ts'

const N = 20

test('start Sandbox', start)

test(`${N} concurrent POST /count on one session`, async t => {
  let browser = visitor()
  await browser.post('/count', { by: 1 }, JSON_HEADERS)
  let cookie = browser.cookie
  let replies = await Promise.all(Array.from({ length: N }, () => visitor(cookie).post('/count', { by: 1 }, JSON_HEADERS)))

  if (mode === 'table') {
    // Each request retries its conflicts, up to 10 attempts. On a slow machine a request can lose
    // all 10: then the answer is a 409 that says so, and that request counted nothing. No other
    // answer (a 5xx, a timeout) is acceptable.
    let counted = replies.filter(r => r.status === 200)
    let busy = replies.filter(r => r.status === 409)
    t.equal(counted.length + busy.length, N, `every request answered: ${counted.length} counted, ${busy.length} said the session was busy`)
    t.ok(busy.every(r => r.json().error === 'This session is busy with other requests; try again'), 'each 409 says why')
    let counts = counted.map(r => r.json<{ count: number }>().count)
    t.deepEqual(counts.toSorted((a, b) => a - b), Array.from({ length: counted.length }, (_, i) => i + 2), 'each 200 saw a different count: none was lost')
    t.equal((await visitor(cookie).get('/', JSON_HEADERS)).json().count, 1 + counted.length, `the final count is 1 + ${counted.length}`)
  }
  else {
    t.deepEqual([ ...new Set(replies.map(r => r.status)) ], [ 200 ], 'every request succeeds')
    let counts = replies.map(r => r.json<{ count: number }>().count)
    t.deepEqual([ ...new Set(counts) ], [ 2 ], 'cookie mode: every request read the same cookie and answered 2')
    let last = visitor(replies.at(-1)?.setCookie?.split(';')[0])
    t.equal((await last.get('/', JSON_HEADERS)).json().count, 2, 'cookie mode: whichever cookie the browser keeps last wins, so N-1 updates are lost (documented)')
  }
})

test('end Sandbox', end)
