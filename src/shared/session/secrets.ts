// Is a secret good enough for a deployed stage? Cookie mode keys AES-GCM with the secret's first
// 16, 24 or 32 characters (Architect's format, ARC_APP_SECRET_ALGO), so those characters are the
// whole key: they must be random. No check can prove randomness; this one estimates, on the low
// side, how many bits an attacker who guesses the way people make secrets up would still have to
// try, and refuses public values, white space, UUIDs that are not random, and anything estimated
// under MIN_KEY_BITS. It runs at every cold start of a deployed stage (and in setup:env), so it is
// a few rules and no dictionary: docs/settings.md says what it catches, and what it cannot.

// 72 bits is far out of reach of an offline search on a captured cookie. Random secrets always
// pass where their key characters hold that much: test/unit/secrets.test.ts tries 20,000 of each
// common encoding for each algorithm. So a pattern counts only where it is long enough never to
// turn up in random text by chance (PATTERN_MIN_BITS), and words only where they read as English.
export const MIN_KEY_BITS = 72

// Secrets anyone can read: Architect's built-in fallback key, and the values committed in this
// repository (prefs.arc and .env.example). Tests make their secrets at run time.
export const PUBLIC_SECRETS = [
  '12345678901234567890123456789012',
  'dev-only-secret-do-not-use-in-production-0123456789',
  'replace-me-with-the-output-of-openssl-rand-base64-48',
]

// What naming a pattern costs a guesser, generously: which kind, where it starts and how long it
// is (a copy of up to 32 earlier characters, up to 32 long), or which walk or step it follows
const PATTERN_BITS = 12
// A stretch is taken for a pattern only where its characters would cost at least this much: 11
// decimal digits, 9 hex characters, 6 of base64. Shorter ones turn up in random keys by chance
// (a 6-character keyboard walk in one in a million random 16-character keys), and one of them
// would then be enough to refuse a random A128GCM key.
const PATTERN_MIN_BITS = 36
// A day in a century (36,500 days: 15.2 bits) and its format (2 bits); a month (the key's end may
// cut a date short there); a time of day to the second
const DATE_BITS = 17
const MONTH_BITS = 11
const TIME_BITS = 17
// A word a person picks comes from the few thousand they use most: 2,048 of them is 11 bits
const WORD_BITS = 11
// The short words people put between longer ones; any other word has 4 letters or more
const SHORT_WORDS = new Set('a an and are as at be by do for go he i in is it me my no not of on or our so the to up us we you key new old one two all'.split(' '))
const SHORT_WORD_BITS = Math.log2(SHORT_WORDS.size)
// What separates words: one bit a character (which one, and where)
const SEPARATOR = /^[-_.+/:,;!?#*&]/

// Walks a person types without thinking, either way round: keyboard rows, and columns. A walk
// with shift held ("1qaz!QAZ") is the same walk. The walks are one text, a line break between
// each, so that one search finds a stretch in any of them: no stretch spans two, as a key with
// white space is refused before its patterns are read.
const SHIFTED: Record<string, string> = { '!': '1', '@': '2', '#': '3', $: '4', '%': '5', '^': '6', '&': '7', '*': '8', '(': '9', ')': '0' }
const unshifted = (text: string) => text.toLowerCase().replace(/[!@#$%^&*()]/g, c => SHIFTED[c])
const KEYBOARD_WALKS = [ '1234567890', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm', '1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0p;/', 'zaq1xsw2cde3vfr4bgt5nhy6mju7,ki8.lo9/;p0' ]
  .flatMap(walk => [ walk.repeat(4), [ ...walk.repeat(4) ].reverse().join('') ]) // (round and round)
  .join('\n')
// A date (2026-11-30, 20261130, 30/11/2026), and a time after it (T07:06:09.123Z, T070609)
const DATE = /^(?:(?:19|20)\d\d([-/.]?)(?:0[1-9]|1[0-2])\1(?:0[1-9]|[12]\d|3[01])|(?:0[1-9]|[12]\d|3[01])([-/.])(?:0[1-9]|1[0-2])\2(?:19|20)\d\d)/
const MONTH = /^(?:19|20)\d\d[-/.](?:0[1-9]|1[0-2])$/
const TIME = /^[T _](?:[01]\d|2[0-3])(:?)[0-5]\d(?:\1[0-5]\d)?(?:\.\d+)?Z?/
// Letters a person swaps for look-alikes to dress up a word
const LEET: Record<string, string> = { 0: 'o', 1: 'i', 3: 'e', 4: 'a', 5: 's', 7: 't', '@': 'a', $: 's' }
const deleet = (text: string) => text.replace(/[013457@$]/g, c => LEET[c])

/**
 * Bits per character of the smallest usual alphabet that holds every character of `key`:
 * decimal, hex, or the classes it uses (digits, lower case, upper case) plus each other symbol
 * it has, so that one `!` adds one character to the alphabet, not 33
 */
function alphabetBits (key: string): number {
  if (/^\d+$/.test(key)) return Math.log2(10)
  if (/^[\da-f]+$/.test(key) || /^[\dA-F]+$/.test(key)) return 4
  let classes = [ [ /\d/, 10 ], [ /[a-z]/, 26 ], [ /[A-Z]/, 26 ] ] as const
  let size = classes.reduce((sum, [ pattern, n ]) => sum + (pattern.test(key) ? n : 0), 0)
  return Math.log2(size + new Set(key.replace(/[\da-zA-Z]/g, '')).size)
}

/**
 * The longest stretch from `start` that copies earlier text (in any case), walks a keyboard, steps
 * by -1, 0 or +1 ("aaaa", "abcd", "4321"), or counts in numbers of 2 to 4 digits ("01020304").
 * `plain` is the key in lower case, without shift.
 */
function patternLength (key: string, plain: string, start: number): number {
  let longest = 0
  // A copy of text that began earlier (it may overlap: "aaaa" is "a" then a copy of itself). It
  // stops at the key's end, where there is nothing left to match.
  for (let from = 0; from < start; from++) {
    let length = 0
    while (plain[from + length] === plain[start + length]) length++
    longest = Math.max(longest, length)
  }
  // A walk is typed in one case (with shift held, or not): in mixed case, walks turn up by chance
  let rest = plain.slice(start)
  let oneCase = (end: number) => !/[a-z]/.test(key.slice(start, end)) || !/[A-Z]/.test(key.slice(start, end))
  for (let end = 1; end <= rest.length && KEYBOARD_WALKS.includes(rest.slice(0, end)) && oneCase(start + end); end++) longest = Math.max(longest, end)
  // One character at a time; past the key's end, charCodeAt gives NaN
  let step = key.charCodeAt(start + 1) - key.charCodeAt(start)
  if (Math.abs(step) <= 1) {
    let length = 2
    while (key.charCodeAt(start + length) - key.charCodeAt(start + length - 1) === step) length++
    longest = Math.max(longest, length)
  }
  // Five numbers at least, as four of 2 digits turn up in random digits; NaN ends the count
  for (let digits = 2; digits <= 4; digits++) {
    let numberAt = (n: number) => {
      let text = key.slice(start + n * digits, start + (n + 1) * digits)
      return text.length === digits && /^\d+$/.test(text) ? Number(text) : NaN
    }
    let by = numberAt(1) - numberAt(0)
    let counted = Math.abs(by) <= 1 ? 2 : 0
    while (counted && numberAt(counted) - numberAt(counted - 1) === by) counted++
    if (counted >= 5) longest = Math.max(longest, counted * digits)
  }
  return longest
}

/** A stretch of the key that reads as one thing, and what naming it costs */
interface Stretch {
  length: number
  bits: number
}

/** A date, with a time if one follows, at `start` */
function dateAt (key: string, start: number): Stretch | null {
  let date = DATE.exec(key.slice(start))
  if (!date) return MONTH.test(key.slice(start)) ? { length: key.length - start, bits: MONTH_BITS } : null
  let time = TIME.exec(key.slice(start + date[0].length))
  let fraction = /\.(\d+)/.exec(time?.[0] ?? '')?.[1].length ?? 0
  return { length: date[0].length + (time?.[0].length ?? 0), bits: DATE_BITS + (time ? TIME_BITS + fraction * Math.log2(10) : 0) }
}

/**
 * Bits an attacker must guess, estimated low, reading left to right: each character costs its
 * alphabet's bits (`perChar`), except that a long stretch following a pattern costs only what
 * naming the pattern costs
 */
function patternBits (key: string, perChar: number): number {
  let plain = unshifted(key)
  let saving = (stretch: Stretch) => stretch.length * perChar - stretch.bits
  let bits = 0
  for (let i = 0; i < key.length;) {
    let date = dateAt(key, i)
    let stretches = [ { length: patternLength(key, plain, i), bits: PATTERN_BITS }, ...(date ? [ { length: date.length, bits: PATTERN_BITS + date.bits } ] : []) ]
    let best = stretches.filter(stretch => stretch.length * perChar >= PATTERN_MIN_BITS && saving(stretch) > 0).sort((a, b) => saving(b) - saving(a))[0]
    bits += best ? best.bits : perChar
    i += best ? best.length : 1
  }
  return bits
}

/** A key made of units of 1 to 4 characters each written twice ("aabbcc", "12123434", "19841984"): one copy of each, and the doubling */
function doubledBits (key: string, perChar: number): number {
  let plain = unshifted(key)
  let cheapest = Infinity
  for (let unit = 1; unit <= 4; unit++) {
    let units = Array.from({ length: Math.floor(plain.length / (2 * unit)) }, (_, n) => plain.slice(2 * unit * n, 2 * unit * n + unit))
    let doubled = units.length >= 2 && units.every((text, n) => plain.startsWith(text, 2 * unit * n + unit))
    if (!doubled) continue
    // (what is left at the end, shorter than a pair, costs what it costs)
    let once = units.join('') + plain.slice(2 * unit * units.length)
    cheapest = Math.min(cheapest, PATTERN_BITS + patternBits(once, perChar))
  }
  return cheapest
}

// How often each letter comes in English text, in percent
const ENGLISH_LETTERS: Record<string, number> = {
  e: 12.7, t: 9.1, a: 8.2, o: 7.5, i: 7.0, n: 6.7, s: 6.3, h: 6.1, r: 6.0, d: 4.3, l: 4.0, c: 2.8, u: 2.8,
  m: 2.4, w: 2.4, f: 2.2, g: 2.0, y: 2.0, p: 1.9, b: 1.5, v: 1.0, k: 0.8, j: 0.15, x: 0.15, q: 0.1, z: 0.07,
}

/**
 * How rare letters are in English text, on average: bits per letter (English words come to about
 * 4, random letters to 5.6). A look-alike counts as 5 bits, whatever letter it stands for, as
 * random digits among letters would otherwise read as the common letters they resemble.
 */
function rarity (letters: string, original = letters): number {
  let lower = letters.toLowerCase()
  return [ ...lower ].reduce((bits, c, i) => bits + (LEET[original[i]] ? 5 : -Math.log2(ENGLISH_LETTERS[c] / 100)), 0) / lower.length
}

/** Whether letters read as a word: 4 to 12 of them, with a vowel, no 4 consonants in a row, and English's letters. Random letters seldom pass all three. */
function isWord (letters: string, original: string): boolean {
  return letters.length >= 4 && letters.length <= 12 && /[aeiou]/i.test(letters) && !/[^aeiou]{4}/i.test(letters) && rarity(letters, original) <= 4.8
}

interface Words {
  bits: number
  /** How many words, and how many of them are of 4 letters or more */
  count: number
  long: number
  /** The long words' rarity, added up */
  rarity: number
}

/**
 * What a part of a phrase costs as words, in lower case, each perhaps capitalized ("CorrectHorse"),
 * or in capitals, leetspeak allowed; or null if it is not words. At most two look-alikes for every
 * five letters ("Pr0duct10n", "H0rs3"): random digits among letters are no leetspeak.
 */
function wordsIn (part: string, perChar: number, atEnd: boolean, leet: boolean): Words | null {
  // Hex with digits in it ("c1aaec75", a UUID's first part) is no leetspeak
  if (/\d/.test(part) && /^[\da-f]+$/i.test(part)) return null
  let plain = leet ? deleet(part) : part
  let capitals = /^[A-Z]+$/.test(plain)
  let pieces = capitals ? [ plain ] : plain.split(/(?=[A-Z][a-z])/)
  let words: Words = { bits: 0, count: pieces.length, long: 0, rarity: 0 }
  let at = 0
  for (let [ n, piece ] of pieces.entries()) {
    let original = part.slice(at, at += piece.length)
    if (!capitals && !/^[A-Za-z][a-z]*$/.test(piece)) return null
    // The key's end may cut a word short: what is left of it has up to 3 letters, or a vowel and
    // fairly common letters
    let stub = atEnd && n === pieces.length - 1 && (piece.length <= 3 || (/[aeiou]/i.test(piece) && rarity(piece, original) <= 5))
    let swapped = original.replace(/[^013457@$]/g, '').length
    if (SHORT_WORDS.has(piece.toLowerCase())) words.bits += SHORT_WORD_BITS
    else if (5 * swapped <= 2 * piece.length && isWord(piece, original)) {
      words.bits += WORD_BITS
      words.long++
      words.rarity += rarity(piece, original)
    }
    else if (stub) words.bits += Math.min(WORD_BITS, piece.length * perChar)
    else return null
  }
  return words
}

/**
 * A phrase: words and dates joined by separators or by capitals ("correct-horse-battery",
 * "C0rrectH0rse", "2026-11-30/2027-01-01"), where every part is a word, a date or a number of up
 * to 4 digits. Each word costs WORD_BITS at most, a date what naming it costs, a number its digits,
 * a separator a bit. It takes three words (a date counts for two), or two long ones with a
 * separator between them: anything less, or of any other shape, is no phrase: Infinity.
 */
function phraseBits (key: string, perChar: number): number {
  let bits = 0
  let words = 0
  let long = 0
  let rare = 0
  let joined = false
  for (let i = 0; i < key.length;) {
    let rest = key.slice(i)
    let date = dateAt(key, i)
    let part = date ? rest.slice(0, date.length) : SEPARATOR.exec(rest)?.[0] ?? /^[^-_.+/:,;!?#*&]+/.exec(rest)?.[0] ?? rest
    i += part.length
    if (date) {
      bits += date.bits
      words += 2
    }
    else if (SEPARATOR.test(part)) {
      bits += part.length
      joined ||= words > 0 && /[-_.]/.test(part)
    }
    else if (/^\d{1,4}$/.test(part)) bits += part.length * Math.log2(10)
    else {
      let found = wordsIn(part, perChar, i === key.length, key.length >= 24)
      if (!found) return Infinity
      bits += found.bits
      words += found.count
      long += found.long
      rare += found.rarity
    }
  }
  if (words < 3 && !(long >= 2 && joined)) return Infinity
  // In 16 characters (A128GCM), random letters read as a short phrase about once in 30,000 keys,
  // unless its long words alone make it one, without leetspeak, and are plainly English: their
  // letters as common as 1 in 2^4.5 of English text's, on average (dates alone need no such rule)
  let short = key.length < 24 && long > 0 && ((long < 3 && !joined) || rare > 4.5 * long)
  return short ? Infinity : bits
}

/**
 * Bits an attacker must guess, estimated low: the cheapest of reading the key as characters and
 * patterns, as doubled units, or as a phrase of words
 */
export function estimatedBits (key: string, perChar = alphabetBits(key)): number {
  return Math.min(patternBits(key, perChar), doubledBits(key, perChar), phraseBits(key, perChar))
}

// A UUID: its version is the 13th hex digit (after the second hyphen)
const UUID = /^[\da-f]{8}-[\da-f]{4}-([\da-f])[\da-f]{3}-[89ab][\da-f]{3}-[\da-f]{12}/i

/** The random bits in the first characters of a version 4 UUID: 4 per hex digit, 2 in the variant's, none in its version or hyphens */
function uuidBits (key: string): number {
  return [ ...key ].reduce((bits, c, i) => bits + (c === '-' || i === 14 ? 0 : i === 19 ? 2 : 4), 0)
}

/** The bits the check counts in the first `keyChars` characters of a secret */
export function keyBits (secret: string, keyChars: number): number {
  let key = secret.slice(0, keyChars)
  // A UUID's hyphens stand where they always do: its patterns are in its hex digits
  return UUID.test(secret) ? Math.min(estimatedBits(key.replaceAll('-', ''), 4), uuidBits(key)) : estimatedBits(key)
}

/** The same text to a guesser: case, separators and leetspeak aside */
const canonical = (text: string) => deleet(text).toLowerCase().replace(/[^a-z\d]/g, '')

/**
 * Why this secret must not key a deployed stage, or null if it may. `keyChars` is how many of its
 * first characters key cookie mode (16, 24 or 32); every secret must have at least 32 characters.
 */
export function secretProblem (secret: string | undefined, keyChars = 32, name = 'ARC_APP_SECRET'): string | null {
  if (!secret) return `${name} is not set`
  if (secret.length < 32) return `${name} is ${secret.length} characters long; it needs at least 32`
  let key = secret.slice(0, keyChars)
  // Every public value is longer than a key: the key must not begin one
  let mine = canonical(key)
  if (mine && PUBLIC_SECRETS.some(known => canonical(known).startsWith(mine))) {
    return `${name} is a public value (Architect's fallback or a placeholder from this repository)`
  }
  if (/\s/.test(key)) return `${name} has white space in its first ${keyChars} characters, so it is not random`
  let uuid = UUID.exec(secret)
  if (uuid && uuid[1] !== '4') {
    return `${name} is a version ${uuid[1]} UUID, made from a time, a name or a counter rather than at random; use openssl rand -base64 48`
  }
  let bits = keyBits(secret, keyChars)
  if (bits < MIN_KEY_BITS) {
    // Hex, decimal digits and UUIDs carry 3.3 to 4 bits a character: 16 of them cannot hold enough
    let encoding = alphabetBits(key.replaceAll('-', '')) <= 4 ? '; hex, decimal digits and UUIDs hold too few bits a character for that, so use base64 (openssl rand -base64 48)' : ''
    return `${name} has about ${Math.floor(bits)} bits of randomness in the ${keyChars} characters that key cookie mode (repeats, runs, dates, words and keyboard walks count for little); it needs ${MIN_KEY_BITS}${encoding}`
  }
  return null
}
