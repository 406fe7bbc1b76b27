// What a deployed stage accepts as ARC_APP_SECRET: random output of `openssl rand` in any common
// encoding, never a pattern, a public value, or anything committed to this repository.
import test from 'tape'
import { createCipheriv, createHash, randomBytes, randomInt } from 'node:crypto'
import { readFileSync, readdirSync } from 'node:fs'
import { estimatedBits, secretProblem, PUBLIC_SECRETS, MIN_KEY_BITS } from '../../src/shared/session/secrets.ts'
import { randomSecret } from '../helpers/secrets.ts'

const root = new URL('../..', import.meta.url).pathname
const STRONG = randomSecret()
// 20,000 random secrets of each kind; FUZZ_RUNS lowers it where speed matters (npm run test:mutation)
const SAMPLES = Number(process.env.FUZZ_RUNS ?? 20_000)

// The reviews' made-up secrets: each must be refused, whatever the algorithm (16, 24 or 32 key characters)
const MADE_UP: [string, string[]][] = [
  [ 'a public value, its dashes as underscores, in capitals, or in leetspeak', [ PUBLIC_SECRETS[1].replaceAll('-', '_'), PUBLIC_SECRETS[1].toUpperCase(), 'd3v-0nly-s3cr3t-d0-n0t-us3-in-pr0duction' ] ],
  [ 'repeats that differ only in case', [ 'PasswordPASSWORDpasswordPaSsWoRd', 'SecretSECRETsecretSeCrEtsEcReT!!' ] ],
  [ 'doubled letters', [ 'aabbccddeeffgghhiijjkkllmmnnoopp', 'AaBbCcDdEeFfGgHhIiJjKkLlMmNnOoPp', 'zzyyxxwwvvuuttssrrqqppoonnmmllkk' ] ],
  [ 'pairs of digits', [ '11223344556677889900112233445566', '12123434565678789090121234345656', '01020304050607080910111213141516', '19841984199019902001200120262026' ] ],
  [ 'time-based and other non-random UUIDs', [ '6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'c232ab00-9414-11ec-b3c8-9f6bdeced846', '017f22e2-79b0-7cc3-98c4-dc0c0c07398f', '00000000-0000-4000-8000-000000000000' ] ],
  [ 'word phrases', [ 'correct-horse-battery-staple-and-more', 'purple-monkey-dishwasher-elephant-x', 'Correct_Horse_Battery_Staple_Tree', 'correct.horse.battery.staple.tree.wood', 'CorrectHorseBatteryStapleTreeWood', 'ThisIsMySuperSecretKeyForProduction' ] ],
  [ 'leetspeak phrases', [ 'C0rr3ct-H0rs3-B4tt3ry-St4pl3-Tr33s', 'P@ssw0rd-S3cr3t-K3y-F0r-Pr0duct10n', 'Th1s1sMyS3cr3tK3yF0rPr0duct10n!!!', 'p4ssw0rdp4ssw0rdp4ssw0rdp4ssw0rd' ] ],
  [ 'dates', [ '2024-01-15T10:30:00.000Z-2025-06-30', '2026-11-30T07:06:09.123Z2026-11-30', '1990-05-17/2001-09-11/2024-12-25xx', '15/01/2024-01/02/2023-03/04/2022-', '19900517200109112024122520261130', '20240115T103000123456789012345678' ] ],
  [ 'keyboard rows and columns', [ `qwertyuiopasdfghjklzxcvbnm123456${STRONG}`, '1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,', 'zaq1xsw2cde3vfr4bgt5nhy6mju7zaq1', '1qaz!QAZ2wsx@WSX3edc#EDC4rfv$RFV' ] ],
  [ 'runs and repeats', [ 'a'.repeat(64), 'Xy7#'.repeat(10), 'Password1'.repeat(5), `asdfasdfasdfasdfasdfasdfasdfasdf${STRONG}`, `abcdefghijklmnopqrstuvwxyzABCDEF${STRONG}`, `0123456789abcdef0123456789abcdef${STRONG}` ] ],
]

test('secrets a person made up are refused, for every algorithm', t => {
  for (let [ kind, secrets ] of MADE_UP) {
    // 16 characters (A128GCM) hold too few letters to tell a short phrase from random ones: see below
    let lengths = /phrases/.test(kind) ? [ 24, 32 ] : [ 16, 24, 32 ]
    for (let keyChars of lengths) {
      let passed = secrets.filter(secret => secretProblem(secret, keyChars) === null)
      t.deepEqual(passed, [], `${kind}, ${keyChars} key characters: all ${secrets.length} refused`)
    }
  }
  t.end()
})

test('in 16 characters, a phrase is refused when its long words alone make one, in plain English', t => {
  for (let secret of [ 'correct-horse-battery-staple', 'CorrectHorseBatteryStaple', 'Correct_Horse_Battery', 'dishwasher.elephant.horse' ]) {
    t.notEqual(secretProblem(secret, 16), null, `${secret.slice(0, 16)}: refused`)
  }
  t.end()
})

test('white space and public values are refused with their own reasons', t => {
  t.match(String(secretProblem(' '.repeat(48))), /white space/)
  t.match(String(secretProblem(`our production secret for 2026 ${STRONG}`)), /white space/)
  t.match(String(secretProblem(`  ${PUBLIC_SECRETS[0]}`)), /public value/, 'behind white space')
  t.match(String(secretProblem(PUBLIC_SECRETS[1].replaceAll('-', '_'))), /public value/, 'with other separators')
  t.match(String(secretProblem('6ba7b810-9dad-11d1-80b4-00c04fd430c8')), /is a version 1 UUID, made from a time, a name or a counter rather than at random; use openssl rand -base64 48$/)
  t.end()
})

test('the estimate, rule by rule', t => {
  let log2 = Math.log2
  let cases: [string, number, string][] = [
    [ '90', 2 * log2(10), 'digits: log2(10) bits each' ],
    [ 'f0', 8, 'lower-case hex: 4 bits each' ],
    [ 'F0', 8, 'upper-case hex: 4 bits each' ],
    [ 'xq', 2 * log2(26), 'lower-case letters: log2(26) bits each' ],
    [ 'xQ', 2 * log2(52), 'letters in both cases: log2(52)' ],
    [ 'x+', 2 * log2(27), 'a symbol adds one character to the alphabet, not every symbol there is' ],
    [ 'xq+/', 4 * log2(28), 'two symbols, two characters' ],
    [ 'x1Q+/', 5 * 6, 'base64: 6 bits each' ],
    [ 'qwstuvw', 7 * log2(26), 'a run of 7 letters (33 bits) is too short to tell from chance...' ],
    [ 'qrstuvwx', 12, '...one of 8 (38 bits) is a pattern, which costs 12 bits' ],
    [ '9876543210', 10 * log2(10), '10 digits are too few...' ],
    [ '98765432109', 12, '...11 are enough: a keyboard row, backwards and round again' ],
    [ 'zqjxwvkpzqjxwvkp', 8 * log2(26) + 12, 'a copy of earlier text' ],
    [ 'zqjxwvkpZQJXWVKP', 8 * log2(52) + 12, 'in any case' ],
    [ 'qwertyuiop', 12, 'a keyboard row' ],
    [ '1qaz2wsx', 12, 'a keyboard column' ],
    [ 'rrssttuuvvww', 12 + 6 * log2(26), 'doubled letters: one copy of each, then the doubling' ],
    [ '010203040506', 12, 'numbers counting up' ],
    [ '2026-11-30T07:06:09', 12 + 17 + 17, 'a date and a time' ],
    [ 'horse-battery-staple', 11 + 1 + 11 + 1 + 11, 'words: 11 bits each, separators 1' ],
    [ 'H0rse-B4ttery-Stap1e-Tr33s', 4 * 11 + 3, 'leetspeak, in 24 characters or more' ],
    [ 'H0rse-B4ttery-Stap1e', 20 * log2(63), 'but not in fewer, where random keys would read as it' ],
    [ 'HorseIsMyStapleHere', 3 * 11 + 2 * log2(37), 'capitals join words; short ones cost less' ],
  ]
  for (let [ key, bits, rule ] of cases) t.equal(estimatedBits(key).toFixed(6), bits.toFixed(6), `${JSON.stringify(key)}: ${rule}`)
  t.end()
})

test('a key estimated at exactly 72 bits passes; the mark is not one bit higher', t => {
  // Built at run time, like every secret here: two 10-digit runs (12 bits each) and 12 random hex
  // characters around them, until the estimate is exactly 72 (2 × 12 + 12 × 4)
  let run = () => {
    let from = randomInt(10)
    return '0123456789'.repeat(2).slice(from, from + 10)
  }
  let key = ''
  while (estimatedBits(key) !== MIN_KEY_BITS) {
    let literals = randomBytes(6).toString('hex')
    key = [ literals.slice(0, 4), run(), literals.slice(4, 8), run(), literals.slice(8) ].join('')
  }
  t.equal(secretProblem(key + randomSecret()), null, `${MIN_KEY_BITS} bits: accepted`)
  t.end()
})

// Random bytes from a fixed seed (AES-256-CTR over zeros), so every run tries the same secrets
function seeded (seed: string) {
  let stream = createCipheriv('aes-256-ctr', createHash('sha256').update(seed).digest(), Buffer.alloc(16))
  let pool = Buffer.alloc(0)
  let bytes = (n: number) => {
    if (pool.length < n) pool = Buffer.concat([ pool, stream.update(Buffer.alloc(65536)) ])
    let taken = pool.subarray(0, n)
    pool = pool.subarray(n)
    return taken
  }
  // A whole number below `n`, without modulo bias
  let below = (n: number): number => {
    let byte = bytes(1)[0]
    return byte < 256 - 256 % n ? byte % n : below(n)
  }
  return { bytes, below }
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

test('random secrets pass wherever their key characters hold 72 bits: 20,000 of each encoding, for each algorithm', t => {
  let random = seeded('20261130')
  let uuid = () => {
    let b = random.bytes(16)
    b[6] = (b[6] & 0x0f) | 0x40
    b[8] = (b[8] & 0x3f) | 0x80
    let hex = b.toString('hex')
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
  }
  // Each encoding, and the random bits in its first 16, 24 and 32 characters
  let encodings: [string, () => string, number[]][] = [
    [ 'openssl rand -hex 32', () => random.bytes(32).toString('hex'), [ 64, 96, 128 ] ],
    [ 'openssl rand -base64 48', () => random.bytes(48).toString('base64'), [ 96, 144, 192 ] ],
    [ 'base64url', () => random.bytes(48).toString('base64url'), [ 96, 144, 192 ] ],
    [ '40 decimal digits', () => Array.from({ length: 40 }, () => random.below(10)).join(''), [ 53, 79, 106 ] ],
    [ '32 letters and digits, as a password manager makes them', () => Array.from({ length: 32 }, () => ALPHANUMERIC[random.below(62)]).join(''), [ 95, 142, 190 ] ],
    [ 'a random UUID (version 4)', uuid, [ 52, 74, 106 ] ],
  ]
  for (let [ name, make, holds ] of encodings) {
    for (let [ n, keyChars ] of [ 16, 24, 32 ].entries()) {
      let refused = 0
      let lowest = Infinity
      let problem = ''
      for (let i = 0; i < SAMPLES; i++) {
        let secret = make()
        let found = secretProblem(secret, keyChars)
        if (found) {
          refused++
          problem = found
          if (holds[n] >= MIN_KEY_BITS) t.comment(`refused: ${secret}`)
        }
        lowest = Math.min(lowest, estimatedBits(secret.slice(0, keyChars)))
      }
      if (holds[n] >= MIN_KEY_BITS) t.equal(refused, 0, `${name}, ${keyChars} key characters (${holds[n]} bits): none refused (lowest estimate ${lowest.toFixed(0)} bits)`)
      else {
        t.equal(refused, SAMPLES, `${name}, ${keyChars} key characters (${holds[n]} bits): every one refused`)
        t.match(problem, /hex, decimal digits and UUIDs hold too few bits a character for that, so use base64 \(openssl rand -base64 48\)$/, 'saying to use base64')
      }
    }
  }
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
