// Mode detection and the secret checks that keep a deployed stage from running with a public key.
import { randomBytes } from 'node:crypto'
import test from 'tape'
import { modeOf, readSettings, secretProblem, PUBLIC_SECRETS } from '../../src/shared/session/config.ts'

const STRONG = 'k1N9+0sQv3yTqQm7c2V8Xw4ZpR6uJ5hL0aE1bF2gH3iJ4kL5mN6oP7qR8sT9uV0w'

// The settings for an environment that must be accepted; throws (failing the test) if refused
function accepted (env: Record<string, string>) {
  let result = readSettings(env)
  if (!result.ok) throw new Error(`refused: ${result.problem}`)
  return result.settings
}

// The problem for an environment that must be refused; throws (failing the test) if accepted
function refused (env: Record<string, string | undefined>) {
  let result = readSettings(env)
  if (result.ok) throw new Error('accepted, but should have been refused')
  return result.problem
}

test('ARC_SESSION_TABLE_NAME picks the mode: jwe or unset is cookie mode, a table name is table mode', t => {
  t.equal(modeOf({}), 'cookie')
  t.equal(modeOf({ ARC_SESSION_TABLE_NAME: 'jwe' }), 'cookie')
  t.equal(modeOf({ ARC_SESSION_TABLE_NAME: 'session' }), 'table')
  t.end()
})

test('a deployed stage refuses a missing, short or public ARC_APP_SECRET, and says how to fix it', t => {
  for (let stage of [ 'staging', 'production' ]) {
    let refusals: [string | undefined, RegExp][] = [
      [ undefined, /ARC_APP_SECRET is not set/ ],
      [ 'too-short', /9 characters long; it needs at least 32/ ],
      ...PUBLIC_SECRETS.map((secret): [string, RegExp] => [ secret, /public value/ ]),
      // cookie mode only uses the first 32 characters, so a public prefix is as bad as the whole
      [ '12345678901234567890123456789012' + 'plus-a-strong-looking-tail', /public value/ ],
    ]
    for (let [ secret, why ] of refusals) {
      let problem = refused({ ARC_ENV: stage, ARC_APP_SECRET: secret })
      t.match(problem, why, `${stage} refuses ${JSON.stringify(secret)}`)
      t.match(problem, new RegExp(`npx arc env -e ${stage} -a ARC_APP_SECRET "\\$\\(openssl rand -base64 48\\)"`), 'and gives the command that fixes it')
    }
    t.equal(accepted({ ARC_ENV: stage, ARC_APP_SECRET: STRONG }).secret, STRONG, `${stage} accepts a strong secret`)
  }
  t.end()
})

test('a deployed stage refuses a secret whose first 32 characters are plainly not random', t => {
  let refusals: [string, string, RegExp][] = [
    [ '48 spaces', ' '.repeat(48), /white space/ ],
    [ '64 times the letter a', 'a'.repeat(64), /only 1 different characters/ ],
    [ 'the committed dev secret in upper case', PUBLIC_SECRETS[1].toUpperCase(), /public value/ ],
    [ 'a public value behind white space', `  ${PUBLIC_SECRETS[0]}`, /public value/ ],
    [ 'a phrase with spaces, then random characters', `our production secret for 2026 ${STRONG}`, /white space/ ],
    [ 'a run of 8 in a row', `abcdefgh${STRONG}`, /a run like/ ],
    [ 'a keyboard-mash of few characters', `asdfasdfasdfasdfasdfasdfasdfasdf${STRONG}`, /only 4 different characters/ ],
  ]
  for (let [ label, secret, why ] of refusals) {
    t.match(refused({ ARC_ENV: 'production', ARC_APP_SECRET: secret }), why, `refuses ${label}`)
  }
  t.end()
})

test('random secrets always pass: 10,000 each of openssl rand -hex 32 and -base64 48', t => {
  let refusedHex = 0
  let refusedBase64 = 0
  for (let i = 0; i < 10_000; i++) {
    if (secretProblem(randomBytes(32).toString('hex'))) refusedHex++
    if (secretProblem(randomBytes(48).toString('base64'))) refusedBase64++
  }
  t.equal(refusedHex, 0, 'hex: none refused')
  t.equal(refusedBase64, 0, 'base64: none refused')
  t.end()
})

test('every stage refuses a secret whose first 32 characters are not ASCII, since cookie mode keys AES with their bytes', t => {
  t.match(refused({ ARC_ENV: 'testing', ARC_APP_SECRET: 'ü'.repeat(40) }), /printable ASCII/)
  t.end()
})

test('a public ARC_APP_SECRET_PREVIOUS is refused too, because it would still open sessions', t => {
  let problem = refused({ ARC_ENV: 'production', ARC_APP_SECRET: STRONG, ARC_APP_SECRET_PREVIOUS: PUBLIC_SECRETS[0] })
  t.match(problem, /ARC_APP_SECRET_PREVIOUS is a public value.*npx arc env -e production -r ARC_APP_SECRET_PREVIOUS/)
  t.end()
})

test('testing accepts the dev secret from prefs.arc, and leaves the cookie usable over http://localhost', t => {
  t.equal(accepted({ ARC_ENV: 'testing', ARC_APP_SECRET: PUBLIC_SECRETS[1] }).secureCookie, false)
  t.equal(accepted({ ARC_ENV: 'production', ARC_APP_SECRET: STRONG }).secureCookie, true, 'deployed stages send Secure cookies')
  t.end()
})

test('even locally, a secret under 32 characters is refused, because cookie mode cannot key AES-256 with it', t => {
  t.match(refused({ ARC_ENV: 'testing', ARC_APP_SECRET: 'short' }), /at least 32 characters/)
  t.end()
})

test('session lifetimes default to 7 idle days and 30 days after sign-in, and must be whole seconds', t => {
  let standard = accepted({ ARC_APP_SECRET: STRONG })
  t.deepEqual([ standard.idleSeconds, standard.absoluteSeconds ], [ 604800, 2592000 ])
  let custom = accepted({ ARC_APP_SECRET: STRONG, ARC_SESSION_TTL: '3600', SESSION_ABSOLUTE_TTL: '86400' })
  t.deepEqual([ custom.idleSeconds, custom.absoluteSeconds ], [ 3600, 86400 ])
  t.match(refused({ ARC_APP_SECRET: STRONG, ARC_SESSION_TTL: '7 days' }), /ARC_SESSION_TTL must be a whole number of seconds/)
  t.end()
})

test('secretProblem names the variable it checked', t => {
  t.equal(secretProblem(STRONG), null)
  t.match(String(secretProblem(undefined, 'ARC_APP_SECRET_PREVIOUS')), /^ARC_APP_SECRET_PREVIOUS is not set/)
  t.end()
})
