// npm run test:e2e: the browser tests (test/e2e) in every engine found, Chromium and Firefox,
// each once in cookie mode and once in table mode. An engine that is not installed fails the run
// and says how to get it, except under `--if-browser` (used by npm test), where it prints one
// SKIPPED line for it instead. CI sets E2E_REQUIRED=1, so CI never skips. `--mode=cookie` or
// `--mode=table` runs one mode only (npm test runs each in its own lane, scripts/test.ts).
import { spawnSync } from 'node:child_process'
import { ENGINES, findBrowser, howToInstall } from '../test/helpers/browsers.ts'

let optional = process.argv.includes('--if-browser') && !process.env.E2E_REQUIRED
let only = process.argv.find(arg => arg.startsWith('--mode='))?.slice('--mode='.length)
let tableNames = only === 'cookie' ? [ 'jwe' ] : only === 'table' ? [ 'session' ] : [ 'jwe', 'session' ]
let missing = false
for (let engine of ENGINES) {
  let path = findBrowser(engine)
  if (!path) {
    console.log(optional ? `SKIPPED e2e in ${engine}: not installed. ${howToInstall(engine)}` : `e2e: no ${engine} found. ${howToInstall(engine)}`)
    missing = true
    continue
  }
  for (let tableName of tableNames) {
    let run = spawnSync('node_modules/.bin/tape "test/e2e/**/*.test.ts" | node_modules/.bin/tap-spec', {
      shell: true,
      stdio: 'inherit',
      env: { ...process.env, BROWSER: engine, BROWSER_PATH: path, ARC_SESSION_TABLE_NAME: tableName },
    })
    if (run.status !== 0) process.exit(run.status ?? 1)
  }
}
process.exitCode = missing && !optional ? 1 : 0
