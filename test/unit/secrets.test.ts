// What a deployed stage accepts as ARC_APP_SECRET: random output of `openssl rand` in any common
// encoding, never a pattern, a public value, or anything committed to this repository.
import test from 'tape'
import { randomBytes, randomInt } from 'node:crypto'
import { readFileSync, readdirSync } from 'node:fs'
import { estimatedBits, secretProblem, PUBLIC_SECRETS, MIN_KEY_BITS } from '../../src/shared/session/secrets.ts'
import { randomSecret } from '../helpers/secrets.ts'

const root = new URL('../..', import.meta.url).pathname
const STRONG = randomSecret()
// 10,000 random secrets of each kind; FUZZ_RUNS lowers it where speed matters (npm run test:mutation)
const SAMPLES = Number(process.env.FUZZ_RUNS ?? 10_000)

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

test('the estimate, rule by rule: each character costs its alphabet\'s bits; a stretch of 3 or more that follows a pattern costs 10 bits, where that is cheaper', t => {
  let log2 = Math.log2
  let cases: [string, number, string][] = [
    [ '90', 2 * log2(10), 'digits: log2(10) bits each' ],
    [ 'f0', 8, 'lower-case hex: 4 bits each' ],
    [ 'F0', 8, 'upper-case hex: 4 bits each' ],
    [ 'xq', 2 * log2(26), 'lower-case letters: log2(26) bits each' ],
    [ 'XQ', 2 * log2(26), 'upper-case letters' ],
    [ 'x+', 12, 'base64 characters: 6 bits each' ],
    [ '~a', 2 * log2(95), 'anything else printable: log2(95) bits each' ],
    [ 'a~', 2 * log2(95), 'whichever end the odd character is at' ],
    [ 'abc', 10, 'a run of 3 stepping by +1' ],
    [ 'ab', 8, 'but 2 is no pattern' ],
    [ '~}', 2 * log2(95), 'not even where 2 characters cost more than 10 bits' ],
    [ '123', 3 * log2(10), 'and a pattern that would cost more than its characters is not one' ],
    [ 'aceg', 4 * log2(26), 'a run stepping by 2 is no pattern' ],
    [ 'aaaa', 10, 'a character repeated' ],
    [ 'xyzxyz', 20, 'a run, then a copy of it' ],
    [ 'zqxzqx', 3 * log2(26) + 10, 'a copy of earlier text' ],
    [ '78901', 10 + log2(10), 'a keyboard row (the digits: 7890), then a digit' ],
    [ 'qwe', 10, 'the top row' ],
    [ 'lkjh', 10, 'the middle row, backwards' ],
    [ 'poiuy', 10, 'the top row, backwards' ],
  ]
  for (let [ key, bits, rule ] of cases) t.equal(estimatedBits(key).toFixed(6), bits.toFixed(6), `${JSON.stringify(key)}: ${rule}`)
  t.end()
})

test('a key estimated at exactly 72 bits passes; the mark is not one bit higher', t => {
  // Built at run time, like every secret here: four 6-character runs and 8 random hex characters
  // between them, until the estimate is exactly 72 (4 × 10 + 8 × 4)
  let hex = '0123456789abcdef'
  let run = () => {
    let from = randomInt(10)
    return hex.slice(from, from + 6)
  }
  let key = ''
  while (estimatedBits(key) !== MIN_KEY_BITS) {
    let literals = randomBytes(4).toString('hex')
    key = [ run(), literals.slice(0, 2), run(), literals.slice(2, 4), run(), literals.slice(4, 6), run(), literals.slice(6) ].join('')
  }
  t.equal(secretProblem(key + randomSecret()), null, `${MIN_KEY_BITS} bits: accepted`)
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
    for (let i = 0; i < SAMPLES; i++) {
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
  for (let i = 0; i < SAMPLES; i++) if (secretProblem(randomBytes(48).toString('base64'), 16)) refusedBase64++
  t.equal(refusedBase64, 0, `base64: none of ${SAMPLES} refused`)
  t.match(String(secretProblem(randomBytes(32).toString('hex'), 16)), /about \d+ bits of randomness in the 16 characters/, 'hex: 64 bits at most, refused')
  t.end()
})

/** The files of the project that could hold a secret: code, tests, Architect settings, the example environment */
function projectFiles (): string[] {
  let inFolders = [ 'src', 'test', 'scripts', 'bench', '.ci' ].flatMap(folder => readdirSync(`${root}${folder}`, { recursive: true, encoding: 'utf8' }).map(file => `${folder}/${file}`))
  return [ ...readdirSync(root), ...inFolders ].filter(file => /\.(ts|js|mjs|arc)$|^\.env\.example$|^\.ci\/run$/.test(file) && !file.startsWith('bench/.build'))
}

// Every quoted value of 32 or more characters on a line that mentions a secret
function committedSecretLike (): { where: string, value: string }[] {
  let files = projectFiles()
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
