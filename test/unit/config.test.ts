// The settings the wrapper reads once per cold start: the mode, the secret checks that keep a
// deployed stage from running with a public key, and every session variable Architect reads.
import test from 'tape'
import { modeConflict, modeOf, readSettings } from '../../src/shared/session/config.ts'
import { PUBLIC_SECRETS } from '../../src/shared/session/secrets.ts'
import { randomSecret } from '../helpers/secrets.ts'

const STRONG = randomSecret()

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
  t.equal(modeOf({}), 'cookie', 'no ARC_SESSION_TABLE_NAME: cookie mode')
  t.equal(modeOf({ ARC_SESSION_TABLE_NAME: 'jwe' }), 'cookie', 'ARC_SESSION_TABLE_NAME=jwe: cookie mode')
  t.equal(modeOf({ ARC_SESSION_TABLE_NAME: 'session' }), 'table', 'ARC_SESSION_TABLE_NAME=session: table mode')
  t.equal(modeOf({ SESSION_TABLE_NAME: 'session' }), 'table', 'SESSION_TABLE_NAME, the guide\'s name, when the other is unset')
  t.end()
})

test('one mode variable saying jwe and the other naming a table stops the function, naming both and the command for each choice', t => {
  for (let [ arcName, name ] of [ [ 'session', 'jwe' ], [ 'jwe', 'session' ] ]) {
    let problem = refused({ ARC_ENV: 'production', ARC_APP_SECRET: STRONG, ARC_SESSION_TABLE_NAME: arcName, SESSION_TABLE_NAME: name })
    t.match(problem, new RegExp(`ARC_SESSION_TABLE_NAME is "${arcName}" but SESSION_TABLE_NAME is "${name}"`), `${arcName} and ${name}: both named`)
    t.match(problem, /For table mode: npm run setup:env -- production --table\. For cookie mode: npm run setup:env -- production --cookie$/, 'the command for each choice')
    t.notOk(problem.includes('arc env'), 'never npx arc env, which writes every stage\'s secrets into prefs.arc')
  }
  t.match(String(modeConflict({ ARC_SESSION_TABLE_NAME: 'session', SESSION_TABLE_NAME: 'jwe' })), /Locally, keep both out of prefs\.arc and \.env, and pick the mode with the start command: npm start \(cookie mode\) or npm run start:table \(table mode\)$/, 'locally: the files, and the start command (which may be where the value came from)')
  t.equal(modeConflict({ ARC_SESSION_TABLE_NAME: 'session', SESSION_TABLE_NAME: 'arc-sessions-staging-session' }), null, 'two table names agree on the mode')
  t.equal(modeConflict({ ARC_SESSION_TABLE_NAME: 'jwe', SESSION_TABLE_NAME: 'jwe' }), null, 'both names saying jwe: no conflict')
  t.end()
})

test('a deployed stage refuses a missing, short or public ARC_APP_SECRET, and says how to fix it', t => {
  for (let stage of [ 'staging', 'production' ]) {
    let refusals: [string | undefined, RegExp][] = [
      [ undefined, /ARC_APP_SECRET is not set/ ],
      [ 'too-short', /9 characters long; it needs at least 32/ ],
      ...PUBLIC_SECRETS.map((secret): [string, RegExp] => [ secret, /public value/ ]),
      // cookie mode only uses the first 32 characters, so a public prefix is as bad as the whole
      [ `12345678901234567890123456789012${STRONG}`, /public value/ ],
    ]
    for (let [ secret, why ] of refusals) {
      let problem = refused({ ARC_ENV: stage, ARC_APP_SECRET: secret })
      t.match(problem, why, `${stage} refuses ${JSON.stringify(secret?.slice(0, 40))}`)
      let fix = secret === undefined ? `npm run setup:env -- ${stage}, then deploy again` : `npm run setup:env -- ${stage} --replace (everyone is signed out), then deploy again`
      t.ok(problem.endsWith(`Fix it with: ${fix}`), 'and gives the setup:env command that fixes it (npx arc env would write the secret into prefs.arc)')
    }
    t.equal(accepted({ ARC_ENV: stage, ARC_APP_SECRET: STRONG }).secret, STRONG, `${stage} accepts a random secret`)
  }
  t.end()
})

test('every stage refuses a secret whose first 32 characters are not ASCII, since cookie mode keys AES with their bytes', t => {
  t.match(refused({ ARC_ENV: 'testing', ARC_APP_SECRET: 'ü'.repeat(40) }), /printable ASCII/, 'a secret of non-ASCII characters is refused as not printable ASCII')
  t.end()
})

test('a public ARC_APP_SECRET_PREVIOUS is refused too, because it would still open sessions', t => {
  let problem = refused({ ARC_ENV: 'production', ARC_APP_SECRET: STRONG, ARC_APP_SECRET_PREVIOUS: PUBLIC_SECRETS[0] })
  t.match(problem, /ARC_APP_SECRET_PREVIOUS is a public value.*Remove it with: npm run setup:env -- production --end-rotation, then deploy again$/, 'a previous secret in the public repository is refused, with the command that removes it')
  t.end()
})

test('testing accepts the dev secret from prefs.arc and names the cookie _idx, usable over http://localhost', t => {
  let local = accepted({ ARC_ENV: 'testing', ARC_APP_SECRET: PUBLIC_SECRETS[1] })
  t.deepEqual(local.cookie, { name: '_idx', sameSite: 'lax', domain: null, secure: false }, 'locally the cookie is _idx, Lax, host-only, not Secure')
  t.equal(local.deployed, false, 'locally nothing counts as deployed')
  let deployed = accepted({ ARC_ENV: 'production', ARC_APP_SECRET: STRONG })
  t.deepEqual(deployed.cookie, { name: '__Host-idx', sameSite: 'lax', domain: null, secure: true }, 'deployed: __Host-idx, Secure')
  t.end()
})

test('even locally, a secret under 32 characters is refused', t => {
  t.match(refused({ ARC_ENV: 'testing', ARC_APP_SECRET: 'short' }), /at least 32 characters/, 'a short secret is refused even locally')
  t.end()
})

test('session lifetimes default to 7 idle days and 30 days after sign-in, and must be whole seconds', t => {
  let standard = accepted({ ARC_APP_SECRET: STRONG })
  t.deepEqual([ standard.idleSeconds, standard.absoluteSeconds ], [ 604800, 2592000 ], 'by default: idle a week, absolute 30 days')
  let custom = accepted({ ARC_APP_SECRET: STRONG, ARC_SESSION_TTL: '3600', SESSION_ABSOLUTE_TTL: '86400' })
  t.deepEqual([ custom.idleSeconds, custom.absoluteSeconds ], [ 3600, 86400 ], 'both lifetimes follow their settings')
  for (let bad of [ '7 days', '0', '-60', '1.5', '1e400' ]) {
    t.match(refused({ ARC_APP_SECRET: STRONG, ARC_SESSION_TTL: bad }), new RegExp(`ARC_SESSION_TTL must be a whole number of seconds, got "${bad}"`), `ARC_SESSION_TTL=${bad}`)
    t.match(refused({ ARC_APP_SECRET: STRONG, SESSION_ABSOLUTE_TTL: bad }), /SESSION_ABSOLUTE_TTL must be a whole number of seconds/, `SESSION_ABSOLUTE_TTL=${bad}`)
    let revocation = refused({ ARC_APP_SECRET: STRONG, SESSION_REVOCATION_CHECK_SECONDS: bad })
    t.match(revocation, /SESSION_REVOCATION_CHECK_SECONDS must be a whole number of seconds/, `SESSION_REVOCATION_CHECK_SECONDS=${bad}`)
  }
  t.end()
})

test('cookie mode rereads an owner\'s "signed out before" time once a minute, or as SESSION_REVOCATION_CHECK_SECONDS says', t => {
  t.equal(accepted({ ARC_APP_SECRET: STRONG }).revocationCheckSeconds, 60, 'the revocation check is read once a minute by default')
  t.equal(accepted({ ARC_APP_SECRET: STRONG, SESSION_REVOCATION_CHECK_SECONDS: '5' }).revocationCheckSeconds, 5, 'SESSION_REVOCATION_CHECK_SECONDS sets it')
  t.end()
})

test('a device-bound session\'s bound cookie lives 600 s, or SESSION_BOUND_SECONDS: from 5 to the idle limit', t => {
  t.equal(accepted({ ARC_APP_SECRET: STRONG }).boundSeconds, 600, 'a bound cookie lives 600 s by default')
  t.deepEqual([ '5', '604800' ].map(value => accepted({ ARC_APP_SECRET: STRONG, SESSION_BOUND_SECONDS: value }).boundSeconds), [ 5, 604800 ], 'the bounds themselves are allowed')
  t.match(refused({ ARC_APP_SECRET: STRONG, SESSION_BOUND_SECONDS: '4' }), /SESSION_BOUND_SECONDS must be from 5 to the idle limit \(604800\), got 4/, 'below 5: refused')
  t.match(refused({ ARC_APP_SECRET: STRONG, SESSION_BOUND_SECONDS: '3601', ARC_SESSION_TTL: '3600' }), /SESSION_BOUND_SECONDS must be from 5 to the idle limit \(3600\), got 3601/, 'above the idle limit: refused')
  t.match(refused({ ARC_APP_SECRET: STRONG, SESSION_BOUND_SECONDS: 'ten' }), /SESSION_BOUND_SECONDS must be a whole number of seconds/, 'not a number: refused')
  t.end()
})

// ---- Architect's own session settings --------------------------------------------------------

test('SESSION_TTL is the idle limit when ARC_SESSION_TTL is unset, as in Architect', t => {
  t.equal(accepted({ ARC_APP_SECRET: STRONG, SESSION_TTL: '1800' }).idleSeconds, 1800, 'SESSION_TTL, Architect\'s own name, sets the idle limit')
  t.equal(accepted({ ARC_APP_SECRET: STRONG, SESSION_TTL: '1800', ARC_SESSION_TTL: '900' }).idleSeconds, 900, 'ARC_SESSION_TTL wins')
  t.match(refused({ ARC_APP_SECRET: STRONG, SESSION_TTL: 'a week' }), /^SESSION_TTL must be a whole number of seconds/, 'and a bad one is named')
  t.end()
})

test('ARC_SESSION_SAME_SITE: lax, strict or none in any case; none makes the cookie Secure even locally', t => {
  t.equal(accepted({ ARC_APP_SECRET: STRONG, ARC_SESSION_SAME_SITE: 'Strict' }).cookie.sameSite, 'strict', 'ARC_SESSION_SAME_SITE is read in any case')
  let none = accepted({ ARC_APP_SECRET: STRONG, ARC_SESSION_SAME_SITE: 'none' }).cookie
  t.deepEqual([ none.sameSite, none.secure ], [ 'none', true ], 'browsers drop SameSite=None without Secure')
  t.match(refused({ ARC_APP_SECRET: STRONG, ARC_SESSION_SAME_SITE: 'sometimes' }), /ARC_SESSION_SAME_SITE must be lax, strict or none, got "sometimes"/, 'an unknown SameSite is refused, naming the setting')
  t.end()
})

test('ARC_SESSION_DOMAIN, then SESSION_DOMAIN: deployed, the cookie becomes __Secure-idx, since __Host- cannot carry a Domain', t => {
  let deployed = accepted({ ARC_ENV: 'production', ARC_APP_SECRET: STRONG, SESSION_DOMAIN: 'example.com' }).cookie
  t.deepEqual(deployed, { name: '__Secure-idx', sameSite: 'lax', domain: 'example.com', secure: true }, 'deployed: __Secure-idx, Lax, on the configured domain, Secure')
  let both = accepted({ ARC_APP_SECRET: STRONG, SESSION_DOMAIN: 'example.org', ARC_SESSION_DOMAIN: 'example.com' }).cookie
  t.deepEqual([ both.name, both.domain ], [ '_idx', 'example.com' ], 'ARC_SESSION_DOMAIN wins; locally the name stays _idx')
  t.match(refused({ ARC_APP_SECRET: STRONG, ARC_SESSION_DOMAIN: 'example.com; Secure=no' }), /ARC_SESSION_DOMAIN must be a domain name/, 'a domain with a cookie attribute in it is refused')
  t.end()
})

test('ARC_APP_SECRET_ALGO picks A128GCM, A192GCM or A256GCM in cookie mode; anything else stops the function', t => {
  t.equal(accepted({ ARC_APP_SECRET: STRONG }).algorithm, 'A256GCM', 'A256GCM by default')
  t.equal(accepted({ ARC_APP_SECRET: STRONG, ARC_APP_SECRET_ALGO: 'A128GCM' }).algorithm, 'A128GCM', 'ARC_APP_SECRET_ALGO chooses the algorithm')
  t.match(refused({ ARC_APP_SECRET: STRONG, ARC_APP_SECRET_ALGO: 'a128gcm' }), /ARC_APP_SECRET_ALGO must be A128GCM, A192GCM or A256GCM, got "a128gcm"/, 'Architect matches the name exactly, so do we')
  t.ok(accepted({ ARC_APP_SECRET: STRONG, ARC_APP_SECRET_ALGO: 'bogus', ARC_SESSION_TABLE_NAME: 'session' }), 'table mode ignores it, as Architect does')
  t.end()
})

test('a deployed A128GCM stage checks the 16 characters that key it', t => {
  let hex = refused({ ARC_ENV: 'production', ARC_APP_SECRET: 'c0ffee'.repeat(3) + STRONG, ARC_APP_SECRET_ALGO: 'A128GCM' })
  t.match(hex, /in the 16 characters that key cookie mode/, 'a pattern in the first 16 characters is refused')
  t.ok(accepted({ ARC_ENV: 'production', ARC_APP_SECRET: STRONG, ARC_APP_SECRET_ALGO: 'A128GCM' }), 'a random base64 secret passes')
  t.end()
})

test('ARC_FORCE_LEGACY_JWE_SECRET stops cookie mode with a message; table mode ignores it, as Architect does', t => {
  t.match(refused({ ARC_APP_SECRET: STRONG, ARC_FORCE_LEGACY_JWE_SECRET: 'true' }), /ARC_FORCE_LEGACY_JWE_SECRET asks for the cookie key of Architect 6 and older.*remove it/, 'ARC_FORCE_LEGACY_JWE_SECRET is refused in cookie mode')
  t.ok(accepted({ ARC_APP_SECRET: STRONG, ARC_FORCE_LEGACY_JWE_SECRET: 'true', ARC_SESSION_TABLE_NAME: 'session' }), 'and accepted in table mode, which seals nothing')
  t.end()
})

test('one mode variable alone never conflicts', t => {
  t.equal(modeConflict({ ARC_SESSION_TABLE_NAME: 'session' }), null, 'ARC_SESSION_TABLE_NAME alone: no conflict')
  t.equal(modeConflict({ SESSION_TABLE_NAME: 'jwe' }), null, 'SESSION_TABLE_NAME alone: no conflict')
  t.end()
})

test('a Domain is a host name: one or more labels of letters, digits and inner hyphens', t => {
  for (let domain of [ 'example.com', '.example.com', 'x', 'a.b.c.example.com', 'my-app.example.co.uk', 'a1-b2.example' ]) {
    t.equal(accepted({ ARC_APP_SECRET: STRONG, ARC_SESSION_DOMAIN: domain }).cookie.domain, domain, `accepted: ${domain}`)
  }
  for (let domain of [ 'exa mple.com', 'example.com; Secure', '-bad.com', 'bad-.com', 'a..b', 'example.com.' ]) {
    t.match(refused({ ARC_APP_SECRET: STRONG, ARC_SESSION_DOMAIN: domain }), /must be a domain name/, `refused: ${JSON.stringify(domain)}`)
  }
  t.end()
})

test('the settings say what they were read as: the table, the audience, the stage', t => {
  t.equal(accepted({ ARC_APP_SECRET: STRONG }).tableName, 'jwe', 'cookie mode names no table, as Architect would: jwe')
  t.equal(accepted({ ARC_APP_SECRET: STRONG, SESSION_TABLE_NAME: 'arc-sessions-staging-session' }).tableName, 'arc-sessions-staging-session', 'SESSION_TABLE_NAME names the table')
  t.equal(accepted({ ARC_APP_SECRET: STRONG, ARC_APP_NAME: 'shop' }).audience, 'shop/testing', 'the app and stage a session is bound to; testing when ARC_ENV is unset')
  t.equal(accepted({ ARC_APP_SECRET: STRONG, ARC_APP_NAME: 'shop', ARC_ENV: 'production' }).audience, 'shop/production', 'the audience is the app and the stage')
  t.equal(accepted({ ARC_APP_SECRET: STRONG }).audience, '/testing', 'no app name, still a stage')
  t.end()
})

test('a secret of exactly 32 printable ASCII characters is enough locally; one fewer, or one that is not ASCII there, is not', t => {
  t.equal(accepted({ ARC_APP_SECRET: STRONG.slice(0, 32) }).secret.length, 32, 'a secret of exactly 32 characters is accepted')
  t.match(refused({ ARC_APP_SECRET: STRONG.slice(0, 31) }), /at least 32 characters/, 'and one of 31 is refused')
  t.match(refused({ ARC_APP_SECRET: `é${STRONG}` }), /must start with 32 printable ASCII characters/, 'not ASCII at the start')
  t.match(refused({ ARC_APP_SECRET: `a${'é'.repeat(40)}` }), /must start with 32 printable ASCII characters/, 'not ASCII after the first character')
  t.match(refused({ ARC_APP_SECRET: STRONG, ARC_APP_SECRET_PREVIOUS: `é${STRONG}` }), /ARC_APP_SECRET_PREVIOUS must start with 32 printable ASCII/, 'the previous secret too')
  t.end()
})

test('table mode checks the first 32 characters of a deployed secret, whatever ARC_APP_SECRET_ALGO says', t => {
  let weakFirst16 = `${'a'.repeat(16)}${STRONG}`
  t.match(refused({ ARC_ENV: 'production', ARC_APP_SECRET: weakFirst16, ARC_APP_SECRET_ALGO: 'A128GCM' }), /in the 16 characters/, 'cookie mode with A128GCM is keyed by the first 16 alone: refused')
  t.ok(accepted({ ARC_ENV: 'production', ARC_APP_SECRET: weakFirst16, ARC_APP_SECRET_ALGO: 'A128GCM', ARC_SESSION_TABLE_NAME: 'session' }), 'table mode signs with the whole secret: its first 32 characters are checked, and pass')
  t.end()
})
