// Reads and checks the session settings once per cold start, so that a bad
// deployment fails loudly on its first request instead of leaking sessions.

export type Mode = 'cookie' | 'table'

export interface Settings {
  mode: Mode
  /** Table mode: the session table's logical (`session`) or physical name, as configured */
  tableName: string
  /** Signs (table mode) and encrypts (cookie mode) every cookie we write */
  secret: string
  /** Still accepted on read during a rotation, never used to write */
  previousSecret: string | null
  /** Seconds without a visit before a session ends; also the cookie's Max-Age */
  idleSeconds: number
  /** Seconds after sign-in before the user must sign in again, however active */
  absoluteSeconds: number
  /** Outside `testing` the cookie is `Secure`, so it never travels over plain HTTP */
  secureCookie: boolean
}

export type SettingsResult = { ok: true, settings: Settings } | { ok: false, problem: string }

const WEEK = 7 * 24 * 60 * 60
const THIRTY_DAYS = 30 * 24 * 60 * 60

// Cookie mode keys AES-256-GCM with the secret's first 32 characters (Architect's format),
// so the secret must be at least that long and those 32 characters must not be public.
export const MIN_SECRET_LENGTH = 32

// Secrets anyone can read: Architect's built-in fallback key, and the two values committed in
// this repository (prefs.arc and .env.example). Production must never accept them.
export const PUBLIC_SECRETS = [
  '12345678901234567890123456789012',
  'dev-only-secret-do-not-use-in-production-0123456789',
  'replace-me-with-the-output-of-openssl-rand-base64-48',
]

type Env = Record<string, string | undefined>

// Read exactly as @architect/functions reads them: ARC_SESSION_TABLE_NAME, else SESSION_TABLE_NAME
// (the name in Architect's guide, which @architect/package and Sandbox copy into the first)
function tableNameOf (env: Env): string | undefined {
  return env.ARC_SESSION_TABLE_NAME || env.SESSION_TABLE_NAME
}

export function modeOf (env: Env): Mode {
  // Architect's own switch: `jwe` in either variable (or neither set) keeps the session in the
  // cookie; anything else names the DynamoDB table that holds it
  if ([ env.ARC_SESSION_TABLE_NAME, env.SESSION_TABLE_NAME ].includes('jwe')) return 'cookie'
  return tableNameOf(env) ? 'table' : 'cookie'
}

// What `openssl rand` output never looks like, measured on the 32 characters that key the cookie.
// Each rule refuses random hex (the weakest output we recommend) less than once in three million
// tries: fewer than 8 distinct characters out of 16 possible has odds of about 4e-8, and a run of
// 8 characters that repeat or step by one (aaaaaaaa, abcdefgh, 87654321) about 3e-7.
const MIN_DISTINCT = 8
const MAX_RUN = 7

/** The longest stretch of characters that each repeat, or each step up or down by one, the one before */
function longestRun (text: string): number {
  let codes = [ ...text ].map(char => char.codePointAt(0) ?? 0)
  let longest = 1
  for (let start = 0; start < codes.length - 1; start++) {
    let step = codes[start + 1] - codes[start]
    if (Math.abs(step) > 1) continue
    let end = start + 1
    while (end + 1 < codes.length && codes[end + 1] - codes[end] === step) end++
    longest = Math.max(longest, end - start + 1)
  }
  return longest
}

/** Why this secret must not be used in a deployed stage, or null if it is fine */
export function secretProblem (secret: string | undefined, name = 'ARC_APP_SECRET'): string | null {
  if (!secret) return `${name} is not set`
  if (secret.length < MIN_SECRET_LENGTH) {
    return `${name} is ${secret.length} characters long; it needs at least ${MIN_SECRET_LENGTH}`
  }
  // Only the first 32 characters key cookie mode, so those are what must be unguessable
  let key = secret.slice(0, MIN_SECRET_LENGTH)
  let trimmed = secret.trim().slice(0, MIN_SECRET_LENGTH).toLowerCase()
  if (PUBLIC_SECRETS.some(known => known.slice(0, MIN_SECRET_LENGTH).toLowerCase() === trimmed)) {
    return `${name} is a public value (Architect's fallback or a placeholder from this repository)`
  }
  if (/\s/.test(key)) return `${name} has white space in its first ${MIN_SECRET_LENGTH} characters, so it is not random`
  let distinct = new Set(key).size
  if (distinct < MIN_DISTINCT) return `${name} uses only ${distinct} different characters in its first ${MIN_SECRET_LENGTH}, so it is not random`
  if (longestRun(key) > MAX_RUN) return `${name} has a run like "aaaaaaaa" or "abcdefgh" in its first ${MIN_SECRET_LENGTH} characters, so it is not random`
  return null
}

function fixCommand (stage: string, name: string): string {
  return `npx arc env -e ${stage} -a ${name} "$(openssl rand -base64 48)"`
}

function seconds (value: string | undefined, fallback: number, name: string): number | string {
  if (value === undefined || value === '') return fallback
  let n = Number(value)
  return Number.isInteger(n) && n > 0 ? n : `${name} must be a whole number of seconds, got "${value}"`
}

export function readSettings (env: Env): SettingsResult {
  let stage = env.ARC_ENV || 'testing'
  let deployed = stage === 'staging' || stage === 'production'

  // Refuse to run a deployed stage with a guessable secret: anyone who knows it can
  // forge table-mode ids and read or forge every cookie-mode session.
  let secret = env.ARC_APP_SECRET
  let previousSecret = env.ARC_APP_SECRET_PREVIOUS || null
  if (deployed) {
    let problem = secretProblem(secret)
    if (problem) return { ok: false, problem: `${problem}. Fix it with: ${fixCommand(stage, 'ARC_APP_SECRET')}` }
    let previousProblem = previousSecret && secretProblem(previousSecret, 'ARC_APP_SECRET_PREVIOUS')
    if (previousProblem) return { ok: false, problem: `${previousProblem}. Remove it with: npx arc env -e ${stage} -r ARC_APP_SECRET_PREVIOUS` }
  }
  if (!secret || secret.length < MIN_SECRET_LENGTH) {
    return { ok: false, problem: `ARC_APP_SECRET must be at least ${MIN_SECRET_LENGTH} characters (set it in prefs.arc for local use)` }
  }
  // Cookie mode's AES key is those characters' bytes: 32 of them only if each is one byte
  for (let [ variable, value ] of [ [ 'ARC_APP_SECRET', secret ], [ 'ARC_APP_SECRET_PREVIOUS', previousSecret ] ] as const) {
    if (value && !/^[\x20-\x7e]{32}/.test(value)) {
      return { ok: false, problem: `${variable} must start with 32 printable ASCII characters, as openssl rand -base64 48 gives` }
    }
  }

  let idleSeconds = seconds(env.ARC_SESSION_TTL, WEEK, 'ARC_SESSION_TTL')
  if (typeof idleSeconds === 'string') return { ok: false, problem: idleSeconds }
  let absoluteSeconds = seconds(env.SESSION_ABSOLUTE_TTL, THIRTY_DAYS, 'SESSION_ABSOLUTE_TTL')
  if (typeof absoluteSeconds === 'string') return { ok: false, problem: absoluteSeconds }

  return {
    ok: true,
    settings: {
      mode: modeOf(env),
      tableName: tableNameOf(env) ?? 'jwe',
      secret,
      previousSecret,
      idleSeconds,
      absoluteSeconds,
      secureCookie: stage !== 'testing',
    },
  }
}
