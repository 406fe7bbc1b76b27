// Reads and checks the session settings once per cold start, so that a bad
// deployment fails loudly on its first request instead of leaking sessions.

export type Mode = 'cookie' | 'table'

export interface Settings {
  mode: Mode
  /** Logical table name (table mode only), e.g. `session` */
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

export function modeOf (env: Env): Mode {
  // Architect's own switch: `jwe` (its default) keeps the session in the cookie,
  // anything else names the DynamoDB table that holds it
  let table = env.ARC_SESSION_TABLE_NAME
  return !table || table === 'jwe' ? 'cookie' : 'table'
}

/** Why this secret must not be used in a deployed stage, or null if it is fine */
export function secretProblem (secret: string | undefined, name = 'ARC_APP_SECRET'): string | null {
  if (!secret) return `${name} is not set`
  if (secret.length < MIN_SECRET_LENGTH) {
    return `${name} is ${secret.length} characters long; it needs at least ${MIN_SECRET_LENGTH}`
  }
  let key = secret.slice(0, MIN_SECRET_LENGTH)
  if (PUBLIC_SECRETS.some(known => known.slice(0, MIN_SECRET_LENGTH) === key)) {
    return `${name} is a public value (Architect's fallback or a placeholder from this repository)`
  }
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

  let idleSeconds = seconds(env.ARC_SESSION_TTL, WEEK, 'ARC_SESSION_TTL')
  if (typeof idleSeconds === 'string') return { ok: false, problem: idleSeconds }
  let absoluteSeconds = seconds(env.SESSION_ABSOLUTE_TTL, THIRTY_DAYS, 'SESSION_ABSOLUTE_TTL')
  if (typeof absoluteSeconds === 'string') return { ok: false, problem: absoluteSeconds }

  return {
    ok: true,
    settings: {
      mode: modeOf(env),
      tableName: env.ARC_SESSION_TABLE_NAME || 'jwe',
      secret,
      previousSecret,
      idleSeconds,
      absoluteSeconds,
      secureCookie: stage !== 'testing',
    },
  }
}
