// Finds a Chromium or Chrome to drive. Playwright cannot download its own browser here (nor on
// many locked-down machines), so we look where browsers are usually installed.
import { existsSync, readdirSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'

function playwrightCache (): string[] {
  let cache = join(homedir(), '.cache', 'ms-playwright')
  if (!existsSync(cache)) return []
  return readdirSync(cache)
    .filter(dir => dir.startsWith('chromium'))
    .flatMap(dir => [ join(cache, dir, 'chrome-linux', 'chrome'), join(cache, dir, 'chrome-linux64', 'chrome') ])
}

export function findChromium (): string | null {
  // An explicit CHROME_PATH is the answer, right or wrong: no silent fallback to another browser
  if (process.env.CHROME_PATH) return existsSync(process.env.CHROME_PATH) ? process.env.CHROME_PATH : null
  let candidates = [
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome',
    '/usr/bin/google-chrome-stable',
    '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
    '/Applications/Chromium.app/Contents/MacOS/Chromium',
    ...playwrightCache(),
  ]
  return candidates.find(path => existsSync(path)) ?? null
}

// Headless, and quiet: root in CI needs --no-sandbox, and the rest stop Chromium calling home
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
]

export const HOW_TO_INSTALL = 'Install Chromium (Debian/Ubuntu: sudo apt-get install chromium) or Chrome, or set CHROME_PATH to its executable.'
