// The logic of `npm run setup:env`: the variables a deployed stage needs before its first deploy
// (or a secret rotation). It fails safe: when it cannot read the stage, cannot tell which mode the
// stage is in, or would keep a secret the wrapper refuses, it changes nothing and says why. Its
// changes are ordered so that a failure part way leaves a stage that runs, and the same command
// run again finishes the job. After writing, it reads the stage back and checks that a deploy
// would get what was meant.
import { randomBytes } from 'node:crypto'
import { KEY_CHARS, modeConflict, modeOf, type Algorithm } from '../../src/shared/session/config.ts'
import { secretProblem } from '../../src/shared/session/secrets.ts'
import { configuredParty } from '../../src/shared/auth/relying-party.ts'
import type { Stage, StageVariables } from './stage-variables.ts'

const USAGE = 'Usage: npm run setup:env -- <staging|production> [--table | --cookie] [--rotate | --replace | --end-rotation] [--origin=https://<the app\'s host>]'
const SECRET_OPTIONS = [ '--rotate', '--replace', '--end-rotation' ]
const SECRETS = [ 'ARC_APP_SECRET', 'ARC_APP_SECRET_PREVIOUS' ]

type Change = { set: string, value: string } | { remove: string }

/** How a change is shown: secrets never appear, only what they are */
function shown (stage: Stage, change: Change): string {
  if ('remove' in change) return `remove ${change.remove} from ${stage}`
  let value = SECRETS.includes(change.set) ? `<${change.set === 'ARC_APP_SECRET' ? 'a new' : 'the current'} secret, not shown>` : change.value
  return `set ${change.set} ${value} in ${stage}`
}

/** The variables `changes` should leave, starting from `before` */
function applied (before: Record<string, string>, changes: Change[]): Record<string, string> {
  let after = { ...before }
  for (let change of changes) {
    if ('remove' in change) delete after[change.remove]
    else after[change.set] = change.value
  }
  return after
}

/**
 * What went wrong, in words. aws-lite throws some failures as plain objects (the answer of the
 * credentials service it asked), which would print as `[object Object]`.
 */
export function reason (err: unknown): string {
  if (err instanceof Error) return err.message
  if (typeof err !== 'object' || err === null) return String(err)
  let { message, statusCode, error, metadata } = err as Record<string, unknown>
  if (typeof message === 'string') return message
  let service = typeof metadata === 'object' && metadata !== null && 'service' in metadata ? String(metadata.service) : 'AWS'
  let said = Buffer.isBuffer(error) || typeof error === 'string' ? `: ${String(error).slice(0, 200)}` : ''
  return `${service} answered ${typeof statusCode === 'number' ? statusCode : 'with an error'}${said}`
}

/**
 * The mode variables' changes, in an order where every prefix is a valid state: a
 * SESSION_TABLE_NAME that contradicts the new mode goes first, so the two never disagree
 */
function modeChanges (current: Record<string, string>, mode: string | null): Change[] {
  if (!mode) return []
  let setMode: Change[] = mode === current.ARC_SESSION_TABLE_NAME ? [] : [ { set: 'ARC_SESSION_TABLE_NAME', value: mode } ]
  // The mode lives in ARC_SESSION_TABLE_NAME alone, so the guide's name cannot contradict it later
  let guide = current.SESSION_TABLE_NAME
  if (!guide) return setMode
  let removeGuide: Change = { remove: 'SESSION_TABLE_NAME' }
  return (guide === 'jwe') === (mode === 'jwe') ? [ ...setMode, removeGuide ] : [ removeGuide, ...setMode ]
}

export async function setupEnv (argv: string[], variables: () => Promise<StageVariables>, log: (line: string) => void): Promise<number> {
  let stage = argv.find(a => !a.startsWith('--'))
  let unknown = argv.filter(a => a.startsWith('--') && ![ '--table', '--cookie', ...SECRET_OPTIONS ].includes(a) && !a.startsWith('--origin='))
  let origin = argv.find(a => a.startsWith('--origin='))?.slice('--origin='.length)
  let table = argv.includes('--table')
  let cookie = argv.includes('--cookie')
  let secretOptions = argv.filter(a => SECRET_OPTIONS.includes(a))
  if ((stage !== 'staging' && stage !== 'production') || unknown.length || (table && cookie) || secretOptions.length > 1) {
    log(USAGE)
    return 2
  }
  let [ secretOption ] = secretOptions
  // The passkey origin is judged as the passkey routes will judge it at cold start
  if (origin !== undefined) {
    try {
      configuredParty({ ARC_ENV: stage, PASSKEY_ORIGIN: origin })
    }
    catch {
      log('--origin must be an https origin with no path, such as https://app.example.com; nothing was changed')
      return 2
    }
  }

  log(`Reading ${stage}'s variables, as arc deploy reads them`)
  let store: StageVariables
  let current: Record<string, string>
  try {
    store = await variables()
    current = await store.read(stage)
  }
  catch (err) {
    log(`Could not read ${stage}'s variables (${reason(err)}); nothing was changed. Check your AWS credentials (AWS_PROFILE) and try again.`)
    return 1
  }

  // The mode changes only when asked: switching it signs everyone out. A new stage starts in
  // cookie mode, Architect's default. When the two mode variables disagree, asking is the only way.
  let conflict = modeConflict(current, stage)
  if (conflict && !table && !cookie) {
    log(`Cannot tell which mode ${stage} is meant to be in: ${conflict}`)
    log(`Nothing was changed. Say which with --table or --cookie: npm run setup:env -- ${argv.join(' ')} --table`)
    return 1
  }
  let currentMode = current.ARC_SESSION_TABLE_NAME || current.SESSION_TABLE_NAME
  let mode = table ? 'session' : cookie ? 'jwe' : currentMode ? null : 'jwe'
  if (!mode && currentMode) log(`${stage} stays in ${currentMode === 'jwe' ? 'cookie' : 'table'} mode`)

  // A secret is judged as the wrapper will judge it, in the mode the stage is about to be in
  let after = applied(current, modeChanges(current, mode))
  let keyChars = modeOf(after) === 'cookie' ? KEY_CHARS[after.ARC_APP_SECRET_ALGO as Algorithm] ?? 32 : 32
  let secrets = secretChanges(stage, current, secretOption, keyChars, log)
  if (!secrets) return 1

  // Secrets last: a failure before them leaves the stage as it was but for the mode and idle
  // limit, and running the same command again finishes the job
  let changes: Change[] = [
    ...modeChanges(current, mode),
    ...(current.ARC_SESSION_TTL ? [] : [ { set: 'ARC_SESSION_TTL', value: '604800' } ]),
    ...(origin !== undefined && origin !== current.PASSKEY_ORIGIN ? [ { set: 'PASSKEY_ORIGIN', value: origin } ] : []),
    ...secrets,
  ]
  for (let [ done, change ] of changes.entries()) {
    log(shown(stage, change))
    try {
      if ('remove' in change) await store.remove(stage, change.remove)
      else await store.set(stage, change.set, change.value)
    }
    catch (err) {
      log(`That failed (${reason(err)}) after ${done} of ${changes.length} changes; ${stage} is still in a state that runs. Run the same command again to finish: npm run setup:env -- ${argv.join(' ')}`)
      return 1
    }
  }
  if (!changes.length) log(`${stage} already has everything it needs; nothing was changed`)

  // Read back through the reader `arc deploy` uses: what a deploy gets is what was meant
  let expected = applied(current, changes)
  let readBack = await store.read(stage)
  let wrong = Object.keys({ ...expected, ...readBack }).filter(name => expected[name] !== readBack[name])
  if (wrong.length) {
    log(`${stage}'s variables are not what was written: ${wrong.join(', ')} differ. Check them with npx arc env (then git checkout prefs.arc, which it rewrites) before deploying.`)
    return 1
  }
  let deploy = `npx arc deploy${stage === 'production' ? ' --production' : ''}`
  if (!readBack.PASSKEY_ORIGIN) {
    log(`${stage} has no PASSKEY_ORIGIN yet, so its passkey routes will not start (the rest of the app will). Deploy, then run: npm run setup:env -- ${stage} --origin=<the https URL the deploy printed, or your domain>, and deploy again`)
  }
  log(`Done. Deploy with: ${deploy}`)
  return 0
}

/**
 * The secret's changes, or null (with the reason logged) when the stage's secret cannot be kept:
 * a secret the wrapper would refuse is never kept, not even as ARC_APP_SECRET_PREVIOUS, where it
 * would stop every request.
 */
function secretChanges (stage: Stage, current: Record<string, string>, option: string | undefined, keyChars: number, log: (line: string) => void): Change[] | null {
  // 48 random bytes: 64 base64 characters, so the 32 that cookie mode uses carry 192 random bits
  let fresh: Change = { set: 'ARC_APP_SECRET', value: randomBytes(48).toString('base64') }
  let existing = current.ARC_APP_SECRET
  let previous = current.ARC_APP_SECRET_PREVIOUS
  let problem = existing ? secretProblem(existing, keyChars) : null
  let replace = `npm run setup:env -- ${stage} --replace`

  if (option === '--replace') {
    // After a leak: nothing of the old secrets may open a session, so everyone signs in again
    return [ ...(previous ? [ { remove: 'ARC_APP_SECRET_PREVIOUS' } ] : []), fresh ]
  }
  if (option === '--end-rotation') return previous ? [ { remove: 'ARC_APP_SECRET_PREVIOUS' } ] : []
  if (!existing) return [ fresh ]
  if (problem) {
    log(`${stage}'s ARC_APP_SECRET would be refused (${problem}), so it cannot be kept${option === '--rotate' ? ' as ARC_APP_SECRET_PREVIOUS' : ''}; nothing was changed.`)
    log(`Replace it without keeping it (everyone is signed out): ${replace}`)
    return null
  }
  if (option !== '--rotate') {
    log(`${stage} keeps its ARC_APP_SECRET. To change it: npm run setup:env -- ${stage} --rotate (sessions stay valid), or ${replace} after a leak`)
    return []
  }
  if (previous) log('Note: the ARC_APP_SECRET_PREVIOUS already set is replaced; sessions made with it end now.')
  return [ { set: 'ARC_APP_SECRET_PREVIOUS', value: existing }, fresh ]
}
