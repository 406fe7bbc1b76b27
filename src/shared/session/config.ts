// Reads and checks the session settings once per cold start, so that a bad deployment fails loudly
// on its first request instead of leaking sessions. Every session variable @architect/functions 8
// reads means the same here, or stops the function with a message that says what to do instead:
// an app that adopts the wrapper must not lose a setting without a word.
import { secretProblem } from './secrets.ts'

export type Mode = 'cookie' | 'table'
export type Algorithm = 'A128GCM' | 'A192GCM' | 'A256GCM'
export type SameSite = 'lax' | 'strict' | 'none'

export interface CookieSettings {
  /** `_idx` locally; once deployed `__Host-idx`, or `__Secure-idx` when a Domain is set */
  name: string
  sameSite: SameSite
  /** ARC_SESSION_DOMAIN: every host under it gets the cookie */
  domain: string | null
  /** HTTPS only: deployed stages, and SameSite=None, which browsers refuse without it */
  secure: boolean
}

export interface Settings {
  mode: Mode
  /** Table mode: the session table's logical (`session`) or physical name, as configured */
  tableName: string
  /** Signs (table mode) and encrypts (cookie mode) every cookie we write */
  secret: string
  /** Still accepted on read during a rotation, never used to write */
  previousSecret: string | null
  /** Cookie mode's content encryption (ARC_APP_SECRET_ALGO), keyed by the secret's first 16, 24 or 32 characters */
  algorithm: Algorithm
  /** Seconds without a visit before a session ends; also the cookie's Max-Age */
  idleSeconds: number
  /** Seconds after sign-in before the user must sign in again, however active */
  absoluteSeconds: number
  /**
   * Cookie mode: how long a warm Lambda trusts what it last read of an owner's "signed out
   * before" time (SESSION_REVOCATION_CHECK_SECONDS): the longest a session ended elsewhere can
   * still be used
   */
  revocationCheckSeconds: number
  /** A device-bound session's bound cookie lives this long (SESSION_BOUND_SECONDS): the longest a copied cookie works (session/binding.ts) */
  boundSeconds: number
  /** `staging` or `production`: HTTPS, HSTS, and the secret checks apply */
  deployed: boolean
  /** `app/stage`, written into every session: a session opens only in the app and stage that wrote it */
  audience: string
  cookie: CookieSettings
}

export type SettingsResult = { ok: true, settings: Settings } | { ok: false, problem: string }

const WEEK = 7 * 24 * 60 * 60
const THIRTY_DAYS = 30 * 24 * 60 * 60
const MINUTE = 60

/** How many of the secret's characters key each algorithm: Architect's rule */
export const KEY_CHARS: Record<Algorithm, number> = { A128GCM: 16, A192GCM: 24, A256GCM: 32 }

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

/**
 * The two mode variables disagree: one says `jwe`, the other names a table. Architect quietly picks
 * cookie mode, but an operator who chose table mode (so that sign-out revokes every copy of a
 * cookie) would not know. `npm run setup:env` and `npm run verify:deploy` use this too.
 */
export function modeConflict (env: Env, stage = env.ARC_ENV || 'testing'): string | null {
  let { ARC_SESSION_TABLE_NAME: arcName, SESSION_TABLE_NAME: name } = env
  if (!arcName || !name || (arcName === 'jwe') === (name === 'jwe')) return null
  let problem = `ARC_SESSION_TABLE_NAME is "${arcName}" but SESSION_TABLE_NAME is "${name}": one means cookie mode, the other table mode (Architect would pick cookie mode)`
  // Locally the value may come from prefs.arc, .env or the command that started Sandbox (which
  // sets ARC_SESSION_TABLE_NAME to jwe when nothing else does), so the fix covers all three
  if (stage === 'testing') {
    return `${problem}. Locally, keep both out of prefs.arc and .env, and pick the mode with the start command: npm start (cookie mode) or npm run start:table (table mode)`
  }
  // setup:env, never `npx arc env`, which writes every stage's secrets into prefs.arc
  return `${problem}. For table mode: npm run setup:env -- ${stage} --table. For cookie mode: npm run setup:env -- ${stage} --cookie`
}

/** The first of `names` that is set (Architect's fallbacks use `||`, so empty means unset) */
function firstSet (env: Env, names: string[]): [string, string] | null {
  let name = names.find(n => env[n])
  return name ? [ name, String(env[name]) ] : null
}

function seconds (env: Env, names: string[], fallback: number): number | string {
  let found = firstSet(env, names)
  if (!found) return fallback
  let n = Number(found[1])
  return Number.isInteger(n) && n > 0 ? n : `${found[0]} must be a whole number of seconds, got "${found[1]}"`
}

// What a cookie's Domain attribute may be (the `cookie` library's own rule)
const DOMAIN = /^\.?[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i

function cookieSettings (env: Env, deployed: boolean): CookieSettings | string {
  let sameSite = (env.ARC_SESSION_SAME_SITE || 'lax').toLowerCase()
  if (sameSite !== 'lax' && sameSite !== 'strict' && sameSite !== 'none') {
    return `ARC_SESSION_SAME_SITE must be lax, strict or none, got "${env.ARC_SESSION_SAME_SITE}"`
  }
  let domain = firstSet(env, [ 'ARC_SESSION_DOMAIN', 'SESSION_DOMAIN' ])
  if (domain && !DOMAIN.test(domain[1])) return `${domain[0]} must be a domain name such as example.com, got "${domain[1]}"`
  // A `__Host-` cookie is the strongest (only this host can set it) but cannot carry a Domain;
  // `__Secure-` still guarantees it was set over HTTPS
  let name = !deployed ? '_idx' : domain ? '__Secure-idx' : '__Host-idx'
  return { name, sameSite, domain: domain?.[1] ?? null, secure: deployed || sameSite === 'none' }
}

/** `staging` and `production` run on HTTPS, with HSTS and the secret checks */
export function isDeployed (env: Env): boolean {
  return env.ARC_ENV === 'staging' || env.ARC_ENV === 'production'
}

export function readSettings (env: Env): SettingsResult {
  let stage = env.ARC_ENV || 'testing'
  let deployed = isDeployed(env)
  let mode = modeOf(env)
  let conflict = modeConflict(env, stage)
  if (conflict) return { ok: false, problem: conflict }

  // Architect ignores these in table mode, and so do we
  let algorithm = (env.ARC_APP_SECRET_ALGO || 'A256GCM') as Algorithm
  if (mode === 'cookie') {
    if (!Object.hasOwn(KEY_CHARS, algorithm)) {
      return { ok: false, problem: `ARC_APP_SECRET_ALGO must be A128GCM, A192GCM or A256GCM, got "${algorithm}"` }
    }
    if (env.ARC_FORCE_LEGACY_JWE_SECRET) {
      return { ok: false, problem: 'ARC_FORCE_LEGACY_JWE_SECRET asks for the cookie key of Architect 6 and older (the whole secret read as base64), which this wrapper does not support; remove it (cookies made with it stop opening, so those visitors start new sessions)' }
    }
  }
  let keyChars = mode === 'cookie' ? KEY_CHARS[algorithm] : 32

  // Refuse to run a deployed stage with a guessable secret: anyone who knows it can
  // forge table-mode ids and read or forge every cookie-mode session.
  let secret = env.ARC_APP_SECRET
  let previousSecret = env.ARC_APP_SECRET_PREVIOUS || null
  if (deployed) {
    // Each fix is a setup:env command: `npx arc env` would write this stage's secret into prefs.arc
    let problem = secretProblem(secret, keyChars)
    if (problem) {
      let fix = secret ? `npm run setup:env -- ${stage} --replace (everyone is signed out)` : `npm run setup:env -- ${stage}`
      return { ok: false, problem: `${problem}. Fix it with: ${fix}, then deploy again` }
    }
    let previousProblem = previousSecret && secretProblem(previousSecret, keyChars, 'ARC_APP_SECRET_PREVIOUS')
    if (previousProblem) return { ok: false, problem: `${previousProblem}. Remove it with: npm run setup:env -- ${stage} --end-rotation, then deploy again` }
  }
  if (!secret || secret.length < 32) {
    return { ok: false, problem: 'ARC_APP_SECRET must be at least 32 characters (set it in prefs.arc for local use)' }
  }
  // Cookie mode's AES key is those characters' bytes: one byte each only if they are ASCII
  for (let [ variable, value ] of [ [ 'ARC_APP_SECRET', secret ], [ 'ARC_APP_SECRET_PREVIOUS', previousSecret ] ] as const) {
    if (value && !/^[\x20-\x7e]{32}/.test(value)) {
      return { ok: false, problem: `${variable} must start with 32 printable ASCII characters, as openssl rand -base64 48 gives` }
    }
  }

  let idleSeconds = seconds(env, [ 'ARC_SESSION_TTL', 'SESSION_TTL' ], WEEK)
  if (typeof idleSeconds === 'string') return { ok: false, problem: idleSeconds }
  let absoluteSeconds = seconds(env, [ 'SESSION_ABSOLUTE_TTL' ], THIRTY_DAYS)
  if (typeof absoluteSeconds === 'string') return { ok: false, problem: absoluteSeconds }
  let revocationCheckSeconds = seconds(env, [ 'SESSION_REVOCATION_CHECK_SECONDS' ], MINUTE)
  if (typeof revocationCheckSeconds === 'string') return { ok: false, problem: revocationCheckSeconds }
  // At least 5 s (a refresh must have time to finish), at most the idle limit (beyond it the session ends first)
  let boundSeconds = seconds(env, [ 'SESSION_BOUND_SECONDS' ], 10 * MINUTE)
  if (typeof boundSeconds === 'string') return { ok: false, problem: boundSeconds }
  if (boundSeconds < 5 || boundSeconds > idleSeconds) return { ok: false, problem: `SESSION_BOUND_SECONDS must be from 5 to the idle limit (${idleSeconds}), got ${boundSeconds}` }
  let cookie = cookieSettings(env, deployed)
  if (typeof cookie === 'string') return { ok: false, problem: cookie }

  return {
    ok: true,
    settings: {
      mode,
      tableName: tableNameOf(env) ?? 'jwe',
      secret,
      previousSecret,
      algorithm,
      idleSeconds,
      absoluteSeconds,
      revocationCheckSeconds,
      boundSeconds,
      deployed,
      // Two stages (or apps) that share a secret must still not share sessions: staging often has
      // looser users and data, and its session must not sign anyone in to production
      audience: `${env.ARC_APP_NAME ?? ''}/${stage}`,
      cookie,
    },
  }
}
