// npm run test:mutation [-- <file>...] [--unit] [--force]
// Mutation testing of the session wrapper with Stryker: it makes hundreds of small changes to a file
// (a `<` for a `<=`, a condition dropped, a string emptied) and runs the tests that reach that file
// against each one. A change no test notices is a gap in the tests. Each file runs its unit tests,
// then its integration test files against Sandbox, all in cookie mode, then all in table mode
// (table-store.ts in table mode only: cookie mode never loads it); the first failed assert ends
// that mutant's run.
// With file names (`config`, `session`...), only those; `session:1-150` only those lines (a long
// file can run in parts, side by side), and `session:172,303` only those two (the survivors' lines,
// after new tests). With --unit, only the unit tests of the files they reach, failing below 90%
// (.ci/run runs that part), and only the files whose fingerprint (scripts/lib/mutation-record.ts)
// differs from their last passing run's; --force runs them all. Scores go in docs/testing.md.
// Each mutant's result is written as it comes, to reports/mutation/<file>/:
// `grep -l Survived reports/mutation/*/*.json`.
import { readFileSync, writeFileSync } from 'node:fs'
import { Stryker } from '@stryker-mutator/core'
import type { MutantResult, PartialStrykerOptions } from '@stryker-mutator/api/core'
import { fingerprintOf, readRecord, writeRecord } from './lib/mutation-record.ts'

const root = new URL('..', import.meta.url).pathname
const BREAK = 90

interface Target {
  unit: string[]
  integration: string[]
  /** Table mode only: code cookie mode never runs */
  tableOnly?: true
}

// Which tests reach which file: the likeliest to fail first, then the fastest (each runs in its own
// Sandbox: 1 to 15 s); those that measure time (concurrency, deadlines) last, since a loaded
// machine can slow them into failing
const TARGETS: Record<string, Target> = {
  'session.ts': { unit: [ 'session-size' ], integration: [ 'app', 'errors-and-logs', 'lifecycle', 'stage-binding', 'host-cookie', 'sibling-domain', 'dynamodb-costs', 'rotation', 'expiry-edges', 'environments', 'headers', 'architect-settings', 'hostile', 'old-shapes', 'logs', 'sign-in', 'passkeys', 'your-sessions', 'fourth-review', 'lost-answers', 'concurrency', 'deadlines' ] },
  'session/config.ts': { unit: [ 'config' ], integration: [ 'architect-settings', 'environments', 'table-names' ] },
  'session/secrets.ts': { unit: [ 'secrets', 'config' ], integration: [] },
  'session/data.ts': { unit: [ 'session-data', 'fuzz-readers' ], integration: [ 'old-shapes', 'errors-and-logs' ] },
  'session/cookie-store.ts': { unit: [ 'cookie-reader', 'jwe-oracle', 'fuzz-readers', 'session-size' ], integration: [ 'app', 'hostile', 'your-sessions', 'rotation', 'architect-settings' ] },
  'session/cookies.ts': { unit: [ 'cookies', 'cookie-versions' ], integration: [ 'architect-settings', 'host-cookie', 'sibling-domain', 'environments', 'hostile', 'app' ] },
  'session/http.ts': { unit: [ 'http' ], integration: [ 'headers', 'hostile', 'environments', 'app' ] },
  'session/log.ts': { unit: [ 'log' ], integration: [ 'logs', 'errors-and-logs' ] },
  'session/store.ts': { unit: [], integration: [ 'passkeys', 'logs', 'expiry-edges', 'faults', 'dynamodb-costs', 'concurrency', 'deadlines' ] },
  'session/table-store.ts': { unit: [ 'table-store', 'fuzz-readers' ], integration: [ 'passkeys', 'your-sessions', 'fourth-review', 'dynamodb-costs', 'old-shapes', 'sign-out-race', 'lost-answers', 'table-names', 'hostile', 'rotation', 'host-cookie', 'lifecycle', 'logs', 'faults', 'concurrency', 'deadlines' ], tableOnly: true },
  'session/clock.ts': { unit: [], integration: [ 'expiry-edges' ] },
  'session/revocations.ts': { unit: [], integration: [ 'fourth-review', 'your-sessions', 'dynamodb-costs' ] },
  'session/recent.ts': { unit: [ 'recent' ], integration: [] },
  'session/deadline.ts': { unit: [ 'table-store' ], integration: [ 'deadlines', 'faults', 'logs' ] },
  'session/owners.ts': { unit: [], integration: [ 'your-sessions', 'fourth-review', 'dynamodb-costs' ] },
  'session/binding.ts': { unit: [ 'config' ], integration: [ 'device-binding', 'dynamodb-costs' ] },
  // Beside the wrapper: passkey sign-up and sign-in
  'auth/passkeys.ts': { unit: [ 'passkey-options' ], integration: [ 'passkeys', 'limits', 'fourth-review', 'sign-in', 'logs', 'dynamodb-costs', 'lost-answers' ] },
  'auth/passkey-answers.ts': { unit: [], integration: [ 'passkeys', 'limits', 'fourth-review', 'sign-in', 'logs', 'dynamodb-costs', 'lost-answers' ] },
  'auth/accounts.ts': { unit: [], integration: [ 'passkeys', 'fourth-review', 'lost-answers', 'dynamodb-costs' ] },
  'auth/relying-party.ts': { unit: [ 'setup-env' ], integration: [ 'passkeys' ] },
  'auth/devices.ts': { unit: [], integration: [ 'your-sessions', 'activity', 'fourth-review', 'dynamodb-costs' ] },
  'auth/challenges.ts': { unit: [], integration: [ 'fourth-review', 'passkeys', 'dynamodb-costs' ] },
  'auth/limits.ts': { unit: [ 'limits' ], integration: [ 'limits', 'dynamodb-costs' ] },
  'auth/activity.ts': { unit: [], integration: [ 'activity', 'dynamodb-costs' ] },
  'auth/fresh.ts': { unit: [], integration: [ 'fresh-check' ] },
  'auth/your-passkeys.ts': { unit: [], integration: [ 'your-passkeys', 'recovery', 'fresh-check', 'dynamodb-costs' ] },
  'auth/binding.ts': { unit: [], integration: [ 'device-binding', 'dynamodb-costs' ] },
  'auth/recovery.ts': { unit: [], integration: [ 'recovery', 'fresh-check', 'dynamodb-costs' ] },
  'auth/device-label.ts': { unit: [], integration: [ 'your-passkeys', 'your-sessions' ] },
  'auth/settings.ts': { unit: [ 'limits' ], integration: [] },
}

// The files unit tests alone can hold to the mark, fast enough for CI: settings, secrets, session
// data and the cookie reader
const UNIT_LEVEL = [ 'session/config.ts', 'session/secrets.ts', 'session/data.ts', 'session/cookie-store.ts' ]

const args = process.argv.slice(2)
const unitOnly = args.includes('--unit')
const force = args.includes('--force')
const chosen = args.filter(arg => !arg.startsWith('--')).map(arg => arg.split(':'))
const shortName = (name: string) => name.replace(/^session\//, '').replace(/\.ts$/, '')
/** The lines asked for, if only some of this file's */
const linesOf = (name: string) => chosen.find(([ c ]) => shortName(name) === c.replace(/\.ts$/, ''))?.[1]
const names = Object.keys(TARGETS).filter(name => chosen.length === 0 || chosen.some(([ c ]) => shortName(name) === c.replace(/\.ts$/, '')))
  .filter(name => !unitOnly || UNIT_LEVEL.includes(name))
if (names.length === 0) {
  console.log(`Usage: npm run test:mutation [-- <file>...] [--unit]; files: ${Object.keys(TARGETS).map(shortName).join(', ')}`)
  process.exit(2)
}

/**
 * The shell command Stryker runs for each mutant: the unit tests, then the integration tests in
 * cookie mode and in table mode, each in one tape process that stops at its first failure
 */
function commandFor ({ unit, integration, tableOnly }: Target): string {
  let tape = (kind: string, files: string[]) => `node_modules/.bin/tape -r ./test/helpers/stop-at-first-failure.ts ${files.map(file => `test/${kind}/${file}.test.ts`).join(' ')} > /dev/null`
  // Fewer fuzz cases (seeded as ever): a mutant that breaks a reader fails within a few hundred
  let steps = unit.length ? [ `FUZZ_RUNS=300 ${tape('unit', unit)}` ] : []
  if (!unitOnly && integration.length) {
    // One process per mode, as npm test runs them: a process per file took half as long again
    for (let tableName of tableOnly ? [ 'session' ] : [ 'jwe', 'session' ]) steps.push(`ARC_SESSION_TABLE_NAME=${tableName} ${tape('integration', integration)}`)
  }
  return steps.join(' && ')
}

interface Score { file: string, mutants: number, killed: number, survived: number, disabled: number, score: number, minutes: number, recorded?: string }

function scoreOf (file: string, results: MutantResult[], minutes: number): Score {
  let counted = results.filter(r => [ 'Killed', 'Timeout', 'Survived', 'NoCoverage' ].includes(r.status))
  let killed = counted.filter(r => r.status === 'Killed' || r.status === 'Timeout').length
  return { file, mutants: results.length, killed, survived: counted.length - killed, disabled: results.filter(r => r.status === 'Ignored').length, score: 100 * killed / (counted.length || 1), minutes }
}

let scores: Score[] = []
let record = readRecord()
for (let name of names) {
  let lines = linesOf(name)
  let source = `src/shared/${name}`
  // Only a whole file's unit-level run is remembered
  let fingerprint = unitOnly && !lines ? await fingerprintOf(source, TARGETS[name].unit.map(file => `test/unit/${file}.test.ts`), commandFor(TARGETS[name])) : undefined
  let last = record[name]
  if (fingerprint && !force && last?.fingerprint === fingerprint) {
    console.log(`\n${source}: nothing its unit tests load has changed since its run on ${last.date} (${last.score.toFixed(1)}%), so it does not run again (--force runs it)`)
    scores.push({ file: source, mutants: last.mutants, killed: 0, survived: 0, disabled: 0, score: last.score, minutes: 0, recorded: last.date })
    continue
  }
  // `172,235-240` is line 172 and lines 235 to 240, as Stryker writes them: `file:172-172`...
  let ranges = lines?.split(',').map(range => range.includes('-') ? range : `${range}-${range}`)
  let file = `src/shared/${name}${lines ? `:${lines}` : ''}`
  let options: PartialStrykerOptions = {
    testRunner: 'command',
    commandRunner: { command: commandFor(TARGETS[name]) },
    checkers: [],
    coverageAnalysis: 'off',
    mutate: ranges ? ranges.map(range => `src/shared/${name}:${range}`) : [ file ],
    // Integration tests build the handlers into .build/ (Sandbox, the TypeScript plugin), which two
    // runs at once in Stryker's one sandbox folder would rebuild under each other's feet
    concurrency: unitOnly || TARGETS[name].integration.length === 0 ? 2 : 1,
    reporters: [ 'clear-text', 'progress', 'event-recorder' ],
    eventReporter: { baseDir: `reports/mutation/${shortName(name)}${lines ? `-${lines.replaceAll(',', '_')}` : ''}` },
    clearTextReporter: { logTests: false, allowColor: false },
    ignorePatterns: [ '.build', 'bench/.build', '.stryker-tmp', 'reports' ],
    tempDirName: '.stryker-tmp',
    thresholds: { high: BREAK, low: BREAK, break: null },
  }
  console.log(`\n${file}: ${options.commandRunner?.command}`)
  let started = Date.now()
  let results = await new Stryker(options).runMutationTest()
  let score = scoreOf(file, results, (Date.now() - started) / 60_000)
  scores.push(score)
  if (fingerprint && score.score >= BREAK) {
    record[name] = { fingerprint, score: Math.round(score.score * 10) / 10, mutants: score.mutants, date: new Date().toISOString().slice(0, 10) }
    writeRecord(record)
  }
}

let rows = scores.map(s => s.recorded
  ? `| \`${s.file}\` | ${s.mutants} | not run: unchanged since ${s.recorded} | | | ${s.score.toFixed(1)}% | 0 |`
  : `| \`${s.file}\` | ${s.mutants} | ${s.killed} | ${s.survived} | ${s.disabled} | ${s.score.toFixed(1)}% | ${s.minutes.toFixed(1)} |`)
let table = [ '| file | mutants | killed | survived | disabled (equivalent) | score | minutes |', '|---|---|---|---|---|---|---|', ...rows ].join('\n')
console.log(`\n${table}`)

// A full run (every file, integration tests included) is what docs/testing.md publishes
if (!unitOnly && chosen.length === 0) {
  let page = `${root}docs/testing.md`
  let text = readFileSync(page, 'utf8')
  let published = `<!-- mutation scores: written by npm run test:mutation -->\nRun on ${new Date().toISOString().slice(0, 10)}, ${scores.reduce((sum, s) => sum + s.minutes, 0).toFixed(0)} minutes in all on this machine (2 cores).\n\n${table}\n<!-- /mutation scores -->`
  writeFileSync(page, text.replace(/<!-- mutation scores[\s\S]*?<!-- \/mutation scores -->/, published))
}
let low = scores.filter(s => s.score < BREAK)
if (low.length) {
  console.log(`\nBelow ${BREAK}%: ${low.map(s => s.file).join(', ')}`)
  process.exitCode = 1
}
