// The logic of `npm run setup:env`: which `npx arc env` commands to run before a first deploy (or a
// secret rotation). The `arc env` call is passed in, so tests can check the exact commands.
import { randomBytes } from 'node:crypto'

export type Stage = 'staging' | 'production'
/** Runs `npx arc env ...args` and resolves with what it printed */
export type ArcEnv = (args: string[]) => Promise<string>

const USAGE = 'Usage: npm run setup:env -- <staging|production> [--table | --cookie] [--rotate]'
const SECRETS = [ 'ARC_APP_SECRET', 'ARC_APP_SECRET_PREVIOUS' ]

/** The variables `npx arc env` printed for one stage */
export function parseArcEnv (output: string, stage: Stage): Record<string, string> {
  let vars: Record<string, string> = {}
  let current = ''
  // eslint-disable-next-line no-control-regex
  for (let line of output.replace(/\u001b\[[\d;?]*[A-Za-z]/g, '').split('\n')) {
    let title = /(Testing|Staging|Production) env vars:/.exec(line)
    if (title) current = title[1].toLowerCase()
    // "None found! Add …" is how it says a stage has no variables
    let pair = line.includes('None found!') ? null : /^\s*\|\s+([A-Za-z0-9_]+) (.*)$/.exec(line)
    if (pair && current === stage) vars[pair[1]] = pair[2].replace(/^"(.*)"$/, '$1')
  }
  return vars
}

/** How a command is shown: secrets never appear, only what they are */
function shown (args: string[]): string {
  let [ , , , name ] = args
  let safe = SECRETS.includes(name) ? [ ...args.slice(0, 4), `<${name === 'ARC_APP_SECRET' ? 'new' : 'current'} secret, not shown>` ] : args
  return `npx arc env ${safe.join(' ')}`
}

export async function setupEnv (argv: string[], arcEnv: ArcEnv, log: (line: string) => void): Promise<number> {
  let stage = argv.find(a => !a.startsWith('--'))
  let unknown = argv.filter(a => a.startsWith('--') && ![ '--table', '--cookie', '--rotate' ].includes(a))
  let table = argv.includes('--table')
  let cookie = argv.includes('--cookie')
  if ((stage !== 'staging' && stage !== 'production') || unknown.length || (table && cookie)) {
    log(USAGE)
    return 2
  }
  let rotate = argv.includes('--rotate')

  log(`Reading the current ${stage} variables: npx arc env`)
  let current = parseArcEnv(await arcEnv([]), stage)
  let existing = current.ARC_APP_SECRET
  if (existing && !rotate) {
    log(`${stage} already has an ARC_APP_SECRET; replacing it would sign everyone out.`)
    log(`To rotate it (sessions stay valid through ARC_APP_SECRET_PREVIOUS), run: npm run setup:env -- ${stage} --rotate`)
    return 1
  }
  if (current.ARC_APP_SECRET_PREVIOUS && rotate) {
    log('Note: the ARC_APP_SECRET_PREVIOUS already set is replaced; sessions made with it end now.')
  }

  // The mode changes only when asked: switching it signs everyone out. A new stage starts in
  // cookie mode, Architect's default. The idle limit is set once, so a custom one survives.
  let currentMode = current.ARC_SESSION_TABLE_NAME || current.SESSION_TABLE_NAME
  let mode = table ? 'session' : cookie ? 'jwe' : currentMode ? null : 'jwe'
  // 48 random bytes: 64 base64 characters, so the 32 that cookie mode uses carry 192 random bits
  let secret = randomBytes(48).toString('base64')
  let commands = [
    ...(rotate && existing ? [ [ '-e', stage, '-a', 'ARC_APP_SECRET_PREVIOUS', existing ] ] : []),
    [ '-e', stage, '-a', 'ARC_APP_SECRET', secret ],
    ...(current.ARC_SESSION_TTL ? [] : [ [ '-e', stage, '-a', 'ARC_SESSION_TTL', '604800' ] ]),
    ...(mode && mode !== currentMode ? [ [ '-e', stage, '-a', 'ARC_SESSION_TABLE_NAME', mode ] ] : []),
  ]
  if (!mode && currentMode) log(`${stage} stays in ${currentMode === 'jwe' ? 'cookie' : 'table'} mode (ARC_SESSION_TABLE_NAME ${currentMode})`)
  for (let args of commands) {
    log(shown(args))
    await arcEnv(args)
  }
  log(`Done. Deploy with: npx arc deploy${stage === 'production' ? ' --production' : ''}`)
  return 0
}
