// npm run test:e2e: the browser tests (test/e2e), once in cookie mode and once in table mode.
// Without a Chromium it fails and says how to get one, except under `--if-browser` (used by
// npm test), where it prints SKIPPED instead. CI sets E2E_REQUIRED=1, so CI never skips.
import { spawnSync } from 'node:child_process'
import { findChromium, HOW_TO_INSTALL } from '../test/helpers/chromium.ts'

let chromium = findChromium()
if (!chromium) {
  let optional = process.argv.includes('--if-browser') && !process.env.E2E_REQUIRED
  console.log(optional ? 'SKIPPED e2e: no Chromium found (set CHROME_PATH)' : `e2e: no Chromium found. ${HOW_TO_INSTALL}`)
  process.exit(optional ? 0 : 1)
}

for (let tableName of [ 'jwe', 'session' ]) {
  let run = spawnSync('node_modules/.bin/tape "test/e2e/**/*.test.ts" | node_modules/.bin/tap-spec', {
    shell: true,
    stdio: 'inherit',
    env: { ...process.env, CHROME_PATH: chromium, ARC_SESSION_TABLE_NAME: tableName },
  })
  if (run.status !== 0) process.exit(run.status ?? 1)
}
