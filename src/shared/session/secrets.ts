// Is a secret good enough for a deployed stage? Cookie mode keys AES-GCM with the secret's first
// 16, 24 or 32 characters (Architect's format, ARC_APP_SECRET_ALGO), so those characters are the
// whole key: they must be random. No check can prove randomness; this one estimates, on the low
// side, how many bits an attacker who guesses patterns would still have to try, and refuses
// public values, white space and anything estimated under MIN_KEY_BITS.

// The estimate below is low on purpose (16 random base64 characters hold 96 bits, and are estimated
// at 80 or more), so 72 estimated bits is still far out of reach of an offline search on a captured
// cookie. Random output of `openssl rand` in hex, base64, base64url or decimal digits always passes
// for A256GCM's 32 characters (test/unit/secrets.test.ts tries 10,000 of each).
export const MIN_KEY_BITS = 72

// Secrets anyone can read: Architect's built-in fallback key, and the values committed in this
// repository (prefs.arc and .env.example). Tests make their secrets at run time.
export const PUBLIC_SECRETS = [
  '12345678901234567890123456789012',
  'dev-only-secret-do-not-use-in-production-0123456789',
  'replace-me-with-the-output-of-openssl-rand-base64-48',
]

// Runs a person types without thinking: keyboard rows, either way round
const KEYBOARD_ROWS = [ '1234567890', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm' ].flatMap(row => [ row, [ ...row ].reverse().join('') ])

/** Bits per character of the smallest usual alphabet that holds every character of `key` */
function alphabetBits (key: string): number {
  let size = /^\d+$/.test(key) ? 10
    : /^[\da-f]+$/.test(key) || /^[\dA-F]+$/.test(key) ? 16
      : /^[a-z]+$/.test(key) || /^[A-Z]+$/.test(key) ? 26
        : /^[\w+/=-]+$/.test(key) ? 64
          : 95
  return Math.log2(size)
}

/** How many characters from `start` follow a pattern: a copy of earlier text, a keyboard row, or a run stepping by -1, 0 or +1 */
function patternLength (key: string, start: number): number {
  let longest = 0
  // A copy of text that began earlier (it may overlap: "aaaa" is "a" then a copy of itself). It
  // stops at the key's end, where there is nothing left to match.
  for (let from = 0; from < start; from++) {
    let length = 0
    while (key[from + length] === key[start + length]) length++
    longest = Math.max(longest, length)
  }
  let rest = key.slice(start).toLowerCase()
  for (let row of KEYBOARD_ROWS) {
    for (let end = 1; end <= rest.length && row.includes(rest.slice(0, end)); end++) longest = Math.max(longest, end)
  }
  // A run stepping by -1, 0 or +1 ("aaaa", "abcd", "4321"); past the key's end, charCodeAt gives NaN
  let step = key.charCodeAt(start + 1) - key.charCodeAt(start)
  if (Math.abs(step) <= 1) {
    let length = 2
    while (key.charCodeAt(start + length) - key.charCodeAt(start + length - 1) === step) length++
    longest = Math.max(longest, length)
  }
  return longest
}

// What naming a pattern costs a guesser, generously: where it starts and how long it is (a copy
// of up to 32 earlier characters, up to 32 long), or which row or step it follows
const PATTERN_BITS = 10

/**
 * Bits an attacker must guess, estimated low: each character costs the bits of its alphabet,
 * except that a stretch following a pattern costs PATTERN_BITS in all, where that is cheaper
 */
export function estimatedBits (key: string): number {
  let perChar = alphabetBits(key)
  let bits = 0
  for (let i = 0; i < key.length;) {
    let length = patternLength(key, i)
    // Stryker disable next-line EqualityOperator: no alphabet makes a stretch cost exactly PATTERN_BITS
    let cheaper = length * perChar > PATTERN_BITS
    if (length >= 3 && cheaper) {
      bits += PATTERN_BITS
      i += length
    }
    else {
      bits += perChar
      i += 1
    }
  }
  return bits
}

/**
 * Why this secret must not key a deployed stage, or null if it may. `keyChars` is how many of its
 * first characters key cookie mode (16, 24 or 32); every secret must have at least 32 characters.
 */
export function secretProblem (secret: string | undefined, keyChars = 32, name = 'ARC_APP_SECRET'): string | null {
  if (!secret) return `${name} is not set`
  if (secret.length < 32) return `${name} is ${secret.length} characters long; it needs at least 32`
  let key = secret.slice(0, keyChars)
  let normalized = (text: string) => {
    let start = text.trim().slice(0, keyChars)
    // Stryker disable next-line MethodExpression: upper case would compare the same way
    return start.toLowerCase()
  }
  if (PUBLIC_SECRETS.some(known => normalized(known) === normalized(secret))) {
    return `${name} is a public value (Architect's fallback or a placeholder from this repository)`
  }
  if (/\s/.test(key)) return `${name} has white space in its first ${keyChars} characters, so it is not random`
  let bits = estimatedBits(key)
  if (bits < MIN_KEY_BITS) {
    return `${name} has about ${Math.floor(bits)} bits of randomness in the ${keyChars} characters that key cookie mode (repeats, runs and keyboard rows count for little); it needs ${MIN_KEY_BITS}`
  }
  return null
}
