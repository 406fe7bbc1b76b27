// What a warm Lambda remembers per owner (cookie mode's "signed out before" times) is bounded:
// past its limit, the least recently used entry goes.
import test from 'tape'
import { recent } from '../../src/shared/session/recent.ts'
import { REMEMBERED_OWNERS } from '../../src/shared/session/revocations.ts'

test('a recent() map keeps at most its limit, forgetting the least recently used', t => {
  let seen = recent<string, number>(3)
  for (let [ key, value ] of [ [ 'a', 1 ], [ 'b', 2 ], [ 'c', 3 ] ] as const) seen.set(key, value)
  t.equal(seen.get('a'), 1, 'a read counts as a use')
  seen.set('d', 4)
  t.equal(seen.size, 3, 'a fourth entry leaves three')
  t.equal(seen.get('b'), undefined, 'the least recently used one (b) is gone')
  t.deepEqual([ seen.get('a'), seen.get('c'), seen.get('d') ], [ 1, 3, 4 ], 'the others stay')
  seen.set('c', 30)
  t.equal(seen.get('c'), 30, 'setting a key again replaces its value')
  seen.delete('c')
  t.equal(seen.get('c'), undefined, 'and delete forgets it')
  t.end()
})

test('cookie mode remembers 10,000 owners per warm Lambda, and no more', t => {
  t.equal(REMEMBERED_OWNERS, 10_000, 'the documented size')
  let seen = recent<number, number>(REMEMBERED_OWNERS)
  for (let owner = 0; owner < REMEMBERED_OWNERS * 2; owner++) seen.set(owner, owner)
  t.equal(seen.size, REMEMBERED_OWNERS, `after ${REMEMBERED_OWNERS * 2} owners, ${REMEMBERED_OWNERS} are remembered`)
  t.equal(seen.get(0), undefined, 'the first one seen was forgotten')
  t.equal(seen.get(REMEMBERED_OWNERS * 2 - 1), REMEMBERED_OWNERS * 2 - 1, 'the last one is there')
  t.end()
})
