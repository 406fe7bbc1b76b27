// What a deployed stage accepts as ARC_APP_SECRET: random output of `openssl rand` in any common
// encoding, never a pattern, a public value, or anything committed to this repository.
import test from 'tape'
import { randomBytes, randomInt } from 'node:crypto'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { estimatedBits, secretProblem, PUBLIC_SECRETS, MIN_KEY_BITS } from '../../src/shared/session/secrets.ts'
import { randomSecret } from '../helpers/secrets.ts'

const root = new URL('../..', import.meta.url).pathname
const STRONG = randomSecret()

test('patterns a person might type are refused, however long', t => {
  let refusals: [string, string, RegExp][] = [
    [ '48 spaces', ' '.repeat(48), /white space/ ],
    [ '64 times the letter a', 'a'.repeat(64), /bits of randomness/ ],
    [ 'the committed dev secret in upper case', PUBLIC_SECRETS[1].toUpperCase(), /public value/ ],
    [ 'a public value behind white space', `  ${PUBLIC_SECRETS[0]}`, /public value/ ],
    [ 'a phrase with spaces, then random characters', `our production secret for 2026 ${STRONG}`, /white space/ ],
    [ 'a short block repeated', 'Xy7#'.repeat(10), /bits of randomness/ ],
    [ 'a word repeated', 'Password1'.repeat(5), /bits of randomness/ ],
    [ 'keyboard rows', `qwertyuiopasdfghjklzxcvbnm123456${STRONG}`, /bits of randomness/ ],
    [ 'a keyboard-mash of a few keys', `asdfasdfasdfasdfasdfasdfasdfasdf${STRONG}`, /bits of randomness/ ],
    [ 'the alphabet', `abcdefghijklmnopqrstuvwxyzABCDEF${STRONG}`, /bits of randomness/ ],
    [ 'counting in hex twice', `0123456789abcdef0123456789abcdef${STRONG}`, /bits of randomness/ ],
  ]
  for (let [ label, secret, why ] of refusals) {
    t.match(String(secretProblem(secret)), why, `refuses ${label}`)
  }
  t.end()
})

test('random secrets always pass: 10,000 each of openssl rand -hex 32, -base64 48, base64url and 40 decimal digits', t => {
  let encodings: Record<string, () => string> = {
    'hex': () => randomBytes(32).toString('hex'),
    'base64': () => randomBytes(48).toString('base64'),
    'base64url': () => randomBytes(48).toString('base64url'),
    'decimal digits': () => Array.from({ length: 40 }, () => randomInt(10)).join(''),
  }
  for (let [ name, make ] of Object.entries(encodings)) {
    let refused = 0
    let lowest = Infinity
    for (let i = 0; i < 10_000; i++) {
      let secret = make()
      if (secretProblem(secret)) refused++
      lowest = Math.min(lowest, estimatedBits(secret.slice(0, 32)))
    }
    t.equal(refused, 0, `${name}: none refused (lowest estimate ${lowest.toFixed(0)} bits, against ${MIN_KEY_BITS})`)
  }
  t.end()
})

test('with A128GCM only 16 characters key cookie mode: random base64 passes, random hex cannot hold enough', t => {
  let refusedBase64 = 0
  for (let i = 0; i < 10_000; i++) if (secretProblem(randomBytes(48).toString('base64'), 16)) refusedBase64++
  t.equal(refusedBase64, 0, 'base64: none of 10,000 refused')
  t.match(String(secretProblem(randomBytes(32).toString('hex'), 16)), /about \d+ bits of randomness in the 16 characters/, 'hex: 64 bits at most, refused')
  t.end()
})

// Every quoted value of 32 or more characters on a line that mentions a secret, in every file git
// tracks that could hold one (code, tests, Architect settings, the example environment)
function committedSecretLike (): { where: string, value: string }[] {
  let files = execFileSync('git', [ 'ls-files' ], { cwd: root }).toString().split('\n')
    .filter(file => /\.(ts|js|mjs|arc)$|^\.env\.example$|^\.ci\//.test(file))
  return files.flatMap(file => readFileSync(`${root}${file}`, 'utf8').split('\n').flatMap((line, i) => {
    if (!/secret/i.test(line) || line.startsWith('import ')) return []
    let quoted = [ ...line.matchAll(/['"`]([^'"`\s]{32,})['"`]/g) ].map(m => m[1])
    // prefs.arc and .env.example set the value without quotes
    let assigned = [ ...line.matchAll(/^\s*(?:ARC_APP_SECRET\w*)[ =](\S{32,})\s*$/g) ].map(m => m[1])
    // An SSM parameter's name (`/app/stage/NAME`) names a secret; it is not one
    let values = [ ...quoted, ...assigned ].filter(value => !/^\/[\w-]+\/\w+\/[A-Z_]+$/.test(value))
    return values.map(value => ({ where: `${file}:${i + 1}`, value }))
  }))
}

test('no secret committed to this repository would be accepted by a deployed stage', t => {
  let found = committedSecretLike()
  t.ok(found.some(({ value }) => value === PUBLIC_SECRETS[1]), `the search finds the dev secret in prefs.arc (${found.length} values in all)`)
  for (let { where, value } of found) {
    t.notEqual(secretProblem(value), null, `${where}: ${value.slice(0, 12)}… is refused`)
  }
  t.end()
})
