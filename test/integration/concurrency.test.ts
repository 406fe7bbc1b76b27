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
  t.deepEqual([ ...new Set(replies.map(r => r.status)) ], [ 200 ], 'every request succeeds')

  let counts = replies.map(r => r.json<{ count: number }>().count)
  if (mode === 'table') {
    t.deepEqual(counts.toSorted((a, b) => a - b), Array.from({ length: N }, (_, i) => i + 2), 'each saw a different count: none was lost')
    t.equal((await visitor(cookie).get('/', JSON_HEADERS)).json().count, 1 + N, `the final count is ${1 + N}`)
  }
  else {
    t.deepEqual([ ...new Set(counts) ], [ 2 ], 'cookie mode: every request read the same cookie and answered 2')
    let last = visitor(replies.at(-1)?.setCookie?.split(';')[0])
    t.equal((await last.get('/', JSON_HEADERS)).json().count, 2, 'cookie mode: whichever cookie the browser keeps last wins, so N-1 updates are lost (documented)')
  }
})

test('end Sandbox', end)
