// The per-visitor limits' settings (src/shared/auth/limits.ts): a default, a whole number, or a
// function that refuses to start and says why.
import test from 'tape'
import { limitsOf } from '../../src/shared/auth/limits.ts'

test('SIGNUP_PER_HOUR and AUTH_FAILURES_PER_HOUR: 10 and 30 unless set; a whole number from 1 when set', t => {
  t.deepEqual(limitsOf({}), { signup: 10, failure: 30 }, 'the defaults')
  t.deepEqual(limitsOf({ SIGNUP_PER_HOUR: '', AUTH_FAILURES_PER_HOUR: '' }), { signup: 10, failure: 30 }, 'an empty value is unset')
  t.deepEqual(limitsOf({ SIGNUP_PER_HOUR: '1', AUTH_FAILURES_PER_HOUR: '999999999' }), { signup: 1, failure: 999_999_999 }, 'set, from 1 to 999999999')
  for (let bad of [ '0', '-1', '1.5', '1e3', ' 5', '5 ', '0x10', 'ten', '1000000000', '010' ]) {
    t.throws(() => limitsOf({ SIGNUP_PER_HOUR: bad }), new RegExp(`^Error: SIGNUP_PER_HOUR must be a whole number from 1 to 999999999; it is ${JSON.stringify(bad).replace(/[.+]/g, '\\$&')}$`), `SIGNUP_PER_HOUR=${JSON.stringify(bad)} stops the function, naming the setting and its value`)
  }
  t.throws(() => limitsOf({ AUTH_FAILURES_PER_HOUR: 'lots' }), /^Error: AUTH_FAILURES_PER_HOUR must be a whole number/, 'and so does a bad AUTH_FAILURES_PER_HOUR')
  t.end()
})
