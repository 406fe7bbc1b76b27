// The logic of `npm run setup:env`: the variables a deployed stage needs before its first deploy
// (or a secret rotation). It fails safe: when it cannot read the stage, or cannot tell which mode
// the stage is in, it changes nothing and says why; after writing, it reads the stage back and
// checks that a deploy would get what was meant.
import { randomBytes } from 'node:crypto'
import { modeConflict } from '../../src/shared/session/config.ts'
import type { Stage, StageVariables } from './stage-variables.ts'

const USAGE = 'Usage: npm run setup:env -- <staging|production> [--table | --cookie] [--rotate]'
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

export async function setupEnv (argv: string[], variables: () => Promise<StageVariables>, log: (line: string) => void): Promise<number> {
  let stage = argv.find(a => !a.startsWith('--'))
  let unknown = argv.filter(a => a.startsWith('--') && ![ '--table', '--cookie', '--rotate' ].includes(a))
  let table = argv.includes('--table')
  let cookie = argv.includes('--cookie')
  if ((stage !== 'staging' && stage !== 'production') || unknown.length || (table && cookie)) {
    log(USAGE)
    return 2
  }
  let rotate = argv.includes('--rotate')

  log(`Reading ${stage}'s variables, as arc deploy reads them`)
  let store: StageVariables
  let current: Record<string, string>
  try {
    store = await variables()
    current = await store.read(stage)
  }
  catch (err) {
    log(`Could not read ${stage}'s variables (${err instanceof Error ? err.message : String(err)}); nothing was changed. Check your AWS credentials (AWS_PROFILE) and try again.`)
    return 1
  }

  let existing = current.ARC_APP_SECRET
  if (existing && !rotate) {
    log(`${stage} already has an ARC_APP_SECRET; replacing it would sign everyone out.`)
    log(`To rotate it (sessions stay valid through ARC_APP_SECRET_PREVIOUS), run: npm run setup:env -- ${stage} --rotate`)
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
  if (current.ARC_APP_SECRET_PREVIOUS && rotate) {
    log('Note: the ARC_APP_SECRET_PREVIOUS already set is replaced; sessions made with it end now.')
  }

  let currentMode = current.ARC_SESSION_TABLE_NAME || current.SESSION_TABLE_NAME
  let mode = table ? 'session' : cookie ? 'jwe' : currentMode ? null : 'jwe'
  // 48 random bytes: 64 base64 characters, so the 32 that cookie mode uses carry 192 random bits
  let secret = randomBytes(48).toString('base64')
  let changes: Change[] = [
    ...(rotate && existing ? [ { set: 'ARC_APP_SECRET_PREVIOUS', value: existing } ] : []),
    { set: 'ARC_APP_SECRET', value: secret },
    ...(current.ARC_SESSION_TTL ? [] : [ { set: 'ARC_SESSION_TTL', value: '604800' } ]),
    ...(mode && mode !== current.ARC_SESSION_TABLE_NAME ? [ { set: 'ARC_SESSION_TABLE_NAME', value: mode } ] : []),
    // The mode lives in ARC_SESSION_TABLE_NAME alone, so the guide's name cannot contradict it later
    ...(mode && current.SESSION_TABLE_NAME ? [ { remove: 'SESSION_TABLE_NAME' } ] : []),
  ]
  if (!mode && currentMode) log(`${stage} stays in ${currentMode === 'jwe' ? 'cookie' : 'table'} mode`)
  for (let [ done, change ] of changes.entries()) {
    log(shown(stage, change))
    try {
      if ('remove' in change) await store.remove(stage, change.remove)
      else await store.set(stage, change.set, change.value)
    }
    catch (err) {
      log(`That failed (${err instanceof Error ? err.message : String(err)}) after ${done} of ${changes.length} changes; check ${stage} with npx arc env, then run this again.`)
      return 1
    }
  }

  // Read back through the reader `arc deploy` uses: what a deploy gets is what was meant
  let expected = applied(current, changes)
  let after = await store.read(stage)
  let wrong = Object.keys({ ...expected, ...after }).filter(name => expected[name] !== after[name])
  if (wrong.length) {
    log(`${stage}'s variables are not what was written: ${wrong.join(', ')} differ. Check them with npx arc env before deploying.`)
    return 1
  }
  log(`Done. Deploy with: npx arc deploy${stage === 'production' ? ' --production' : ''}`)
  return 0
}
