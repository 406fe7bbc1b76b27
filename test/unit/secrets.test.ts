// What a deployed stage accepts as ARC_APP_SECRET: random output of `openssl rand` in any common
// encoding, never a pattern, a public value, or anything committed to this repository.
import test from 'tape'
import { createCipheriv, createHash, randomBytes, randomInt, randomUUID } from 'node:crypto'
import { readFileSync, readdirSync } from 'node:fs'
import { estimatedBits, keyBits, secretProblem, PUBLIC_SECRETS, MIN_KEY_BITS } from '../../src/shared/session/secrets.ts'
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

test('where the key ends, the check ends', t => {
  t.equal(secretProblem(`${randomSecret().slice(0, 40)} and then words`), null, 'white space after the key characters does not matter')
  t.match(String(secretProblem(`1234567890123456${STRONG}`, 16)), /public value/, 'with A128GCM, 16 characters of a public value are one')
  let v1 = '6ba7b810-9dad-11d1-80b4-00c04fd430c8'
  let readAsUuid = (text: string) => /UUID/.test(String(secretProblem(text)))
  t.ok(readAsUuid(v1) && !readAsUuid(`x${v1}${STRONG}`), 'a UUID counts only at the start')
  t.notOk(readAsUuid(`${v1.slice(0, 25)}${STRONG}`), 'and only whole')
  t.match(String(secretProblem('Password1'.repeat(5))), /it needs 72$/, 'a refused base64-like key gets no word about hex')
  t.end()
})

test('white space and public values are refused with their own reasons', t => {
  t.match(String(secretProblem(' '.repeat(48))), /white space/, 'a secret of spaces is refused for its white space')
  t.match(String(secretProblem(`our production secret for 2026 ${STRONG}`)), /white space/, 'a phrase with spaces is refused for its white space')
  t.match(String(secretProblem(`  ${PUBLIC_SECRETS[0]}`)), /public value/, 'behind white space')
  t.match(String(secretProblem(PUBLIC_SECRETS[1].replaceAll('-', '_'))), /public value/, 'with other separators')
  t.match(String(secretProblem(PUBLIC_SECRETS[1].replaceAll('-', '--'))), /public value/, 'or more of them')
  t.match(String(secretProblem('6ba7b810-9dad-11d1-80b4-00c04fd430c8')), /is a version 1 UUID, made from a time, a name or a counter rather than at random; use openssl rand -base64 48$/, 'a version 1 UUID is refused: it is made from a time')
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
    [ '!@#$%^&*()!', 12, 'the digit row with shift held (11 symbols: 36.5 bits)' ],
    [ 'QWERTYUIOPas', 12 + 2 * log2(52), 'a row in capitals, whatever the rest of the key' ],
    [ 'QwErTyUiOpAs', 12 * log2(52), 'but not in mixed case, where walks turn up by chance' ],
    [ '199019911992199319941995', 12, 'years counting up' ],
    [ '1990199119921993', 16 * log2(10), 'four numbers are not enough' ],
    [ '2026-11-30/1999-01-31', 17 + 1 + 17, 'a phrase of dates: 17 bits each' ],
    [ '30/11/2026-31.01.1999', 17 + 1 + 17, 'day first, with any separator' ],
    [ '2026-11-30T07:06:09.123Z', 12 + 17 + 17 + 3 * log2(10), 'one timestamp: a pattern, a time, and its digits' ],
    [ '20261130T070609', 12 + 17 + 17, 'without separators, with the T' ],
    [ 'horse-battery-2026-11', 11 + 1 + 11 + 1 + 11, 'a month, where the key ends' ],
    [ 'hello-world', 11 + 1 + 11, 'two long words, joined' ],
    [ 'HORSE-BATTERY-STAPLE', 11 + 1 + 11 + 1 + 11, 'words in capitals' ],
    [ 'acegikmoqsuw', 12 * log2(26), 'a run stepping by 2 is no pattern' ],
    [ '2026-11-30T07:06', 12 + 17 + 17, 'a time to the minute' ],
    [ '2026-11-30T24:00', 12 + 17 + 6 * log2(38), 'but not at 24:00' ],
    [ 'horse-battery-staple-42', 35 + 1 + 2 * log2(10), 'a short number in a phrase costs its digits' ],
    [ 'horse-battery-staple-12345', 26 * log2(37), 'a longer one makes it no phrase' ],
    [ 'tree-horse-battery', 35, 'a word of 4 letters' ],
    [ 'sea-horse-battery', 17 * log2(27), 'of 3 (not a common short one), no word' ],
    [ 'considerable-horse-battery', 35, 'a word of 12 letters' ],
    [ 'understanding-horse-battery', 27 * log2(27), 'of 13, no word' ],
    [ 'rhythms-horse-battery', 21 * log2(27), 'no vowel, no word' ],
    [ 'strengths-horse-battery', 23 * log2(27), 'five consonants in a row, no word' ],
    [ 'horse-battery-quiz', 18 * log2(27), 'rare letters, no word' ],
    [ 'horse-battery-xqz', 35, 'but what the key\'s end cut short may be anything of 3 letters' ],
    [ 'horse-xqz-battery', 17 * log2(27), 'only at the end' ],
    [ 'horse-xqz', 9 * log2(27), 'a long word and a stub are not enough' ],
    [ 'c0ffee-horse-battery-staple', 27 * log2(37), 'hex with digits is no leetspeak' ],
    [ 'h0u53-horse-battery-staple', 26 * log2(37), 'nor are three look-alikes in five letters' ],
    [ 'horseBATTERY-tree-house', 23 * log2(53), 'capitals inside a word make it none' ],
    [ 'HorseBattery', 12 * log2(52), 'two words, not joined by a separator, are not enough' ],
    [ '_HorseBattery', 13 * log2(53), 'a separator before them does not join them' ],
    [ 'Horse+Battery', 13 * log2(53), 'and only - _ and . join' ],
    [ 'HorseBatteryIsMy', 16 * log2(52), 'in 16 characters, three long words or two joined' ],
    [ 'purple-monkey-di', 16 * log2(27), 'in plainly English letters' ],
    ...[ 'h0use', 'l1ne', 'h3art', 'he4rt', 'hor5e', 'pa7h', 'he@rt', 'ba$e' ].map((word): [string, number, string] => [ `horse-battery-staple-${word}`, 4 * 11 + 3, `leetspeak: ${word}` ]),
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

// Random keys that read, by chance, as something a person would make up: words that look English,
// a walk, a copy, counting digits. Each came out of a random generator, and each once made an
// earlier version of the check refuse it. Where their key characters hold 72 bits, they must pass.
const LOOK_MADE_UP: [number, string[]][] = [
  [ 16, [ 'lSLwYBGT5NHb1o1g', 'Dnawrm-EncebShgc', 'to07d1H3wr0cweA3', 'QBOLY+nupyrql+hh', 'cytoa0L3ehRi1lD4', 'Ap7M414fttpoUqk/', 'Sw4opoho/bbratc0',
    'RGIFSa3oTagab7/L', 'Rol7T07iftanElfc', '0+veh7Doo1rhaWax', '3an1legbCuomyaPr', 'iBat0ft0wmPsu5s+', '4bbieKlileyr_z03', 'uhs3nfvi0R3iytIj',
    'ovir1lCdm45liLqk', 'eir0iow7kaGidlVa', 'aGmiohCeeolWn10t', 'Olalf3AtwrEncfXb', 'WtmaAhfieY3sic7i', '3lt3reAtew731Adv', '1Waiftt0Ihi3tlM4',
    'Et4ov0nu7ksuTmvN', 'sru4EuemrEon7aE7', '96+03pnaeSm1uam5', 'xsO3Ojp4ntsFmts1', 'woogEvqoqdhf0pQf', 'lwxbWwBtc4X7AdG3', 'd5n0E5fa7Tz7137w',
    'G715q40xPa1tnPp1', '1zw0cA4yyZdsy3wu', 'OPMFAUFFSanUrmee', 'StanLlb3aKh3qPcm', 'a1joEajvV3arehDb', 'Zy3mTsaj0waX4su3', 'qyb1bObvuu53hcQo',
    'f3hpvy1WgifKcrne', 'aNi7wyvrmKitc7x4', 'RaipeHuyefKnpaUk', 'o4nedfiOyszNefzo', '4fpoxnAso0_0NEj7', 'Qqn0qy+xxooqAvlq', 'o3jmn0xoUx5YykOw',
    'B4doif4udyYmj3Pp', 'OohgO7hruad0y+N1', 'L7ucn5oNr4hc11Es', 'RbliOf0cr0Os0eh7', 'Q51bnhuKnk4emkUl', 'lirhooitX5ha5zNe' ] ],
  [ 24, [ 'aFk1tf7AwfziuyfeyvMqO54V', 'JtatYcal-R3mvs0nK_LaZSSf', '2//1KewleSokmVktNNZDOz5u', 'YentmDtas47fdKo0toOTn5aG', 'ByAtmdZdy0p1sTozaVWNFT9v',
    'Lsq07rIfg7otjlRadXinuWpq', 'Tsdhbea4zPi4mog0bQdql1Su', 'hnojWonazfeb7Ppqhu0h+Sum', 'ipfPj1//Oro3N3xcZwxcy4ot', 'Khaij4BpbtaxAnO4hilvfwxe',
    'FlV5hzoQz7St7tU0sOu7sivi', 'WDhe1oRqvNv07Azk5jdidg53', 'zaqpS4bnvu3dRtx0hrve4hYz', 'VujstekMijwE17sathoip-Tc', 'IBh4u3kiJqrusrMwuicc/4Pd',
    'GLHgoUz0zxpqJcue7-kUIDPM', 'OKACLYWqhqXl7avglvuywqBe', 'FIYQMkmorVi1Jehh1gqOpaty', 'QufYk6L4iirrWu3yaGhog1ep', '5EO+OHyn0u+XfgjcmxbKZOFG',
    'Et4ov0nu7ksuTmvN0+fVRb54', 'AnNvE_9RV5Vi0seag4hcGcyz', 'dcnie5z3jh3Heg0yo4GohbFg', '434127354388665412735435', '717311f31de1f5db2fb12877' ] ],
]

test('random keys that happen to look made up still pass', t => {
  for (let [ keyChars, keys ] of LOOK_MADE_UP) {
    let refused = keys.filter(key => secretProblem(key + randomSecret(), keyChars) !== null)
    t.deepEqual(refused, [], `${keys.length} keys of ${keyChars} characters: none refused`)
  }
  t.end()
})

test('a version 4 UUID counts its random bits only: none in its version digit, 2 in its variant\'s', t => {
  let uuid = randomUUID()
  t.deepEqual([ 16, 24, 32 ].map(keyChars => keyBits(uuid, keyChars)), [ 52, 74, 106 ], '52, 74 and 106 bits in 16, 24 and 32 characters')
  t.match(String(secretProblem(uuid, 16)), /about 52 bits/, 'so A128GCM refuses it')
  t.equal(secretProblem(uuid, 24), null, 'and A192GCM takes it')
  t.equal(keyBits('00000000-0000-4000-8000-000000000000', 32), 3 * 12 + 2 * 4, 'its hex digits are still read for patterns: three runs of zeros, a 4 and an 8')
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
