// What a warm Lambda remembers per owner (cookie mode's "signed out before" times) and per bound
// cookie is bounded: past its limit, the entry set longest ago goes, however often it was read.
import test from 'tape'
import { recent } from '../../src/shared/session/recent.ts'
import { REMEMBERED_OWNERS } from '../../src/shared/session/revocations.ts'

test('a recent() map keeps at most its limit, forgetting the entry set longest ago', t => {
  let seen = recent<string, number>(3)
  for (let [ key, value ] of [ [ 'a', 1 ], [ 'b', 2 ], [ 'c', 3 ] ] as const) seen.set(key, value)
  t.equal(seen.get('a'), 1, 'an entry reads back')
  seen.set('d', 4)
  t.equal(seen.size, 3, 'a fourth entry leaves three')
  t.equal(seen.get('a'), undefined, 'the one set longest ago (a) is gone, though it was just read: a read is no reason to keep it')
  t.deepEqual([ seen.get('b'), seen.get('c'), seen.get('d') ], [ 2, 3, 4 ], 'the others stay')
  seen.set('b', 20)
  seen.set('e', 5)
  t.deepEqual([ seen.get('b'), seen.get('c') ], [ 20, undefined ], 'setting a key again replaces its value and makes it the newest, so c goes next')
  seen.delete('b')
  t.equal(seen.get('b'), undefined, 'and delete forgets it')
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
