// The browsers the e2e tests drive, through puppeteer-core: Chromium over the DevTools protocol and
// a stock Firefox over WebDriver BiDi, so one driver and one test file serve both engines.
// Neither browser can be downloaded here (nor on many locked-down machines), so we look where
// browsers are usually installed; CHROME_PATH or FIREFOX_PATH, when set, is the answer.
import { existsSync } from 'node:fs'
import puppeteer, { type Browser } from 'puppeteer-core'

export type Engine = 'chromium' | 'firefox'

const PLACES: Record<Engine, { variable: string, paths: string[], install: string }> = {
  chromium: {
    variable: 'CHROME_PATH',
    paths: [ '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable', '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome', '/Applications/Chromium.app/Contents/MacOS/Chromium' ],
    install: 'Install Chromium (Debian/Ubuntu: sudo apt-get install chromium) or Chrome, or set CHROME_PATH to its executable.',
  },
  firefox: {
    variable: 'FIREFOX_PATH',
    paths: [ '/usr/bin/firefox-esr', '/usr/bin/firefox', '/Applications/Firefox.app/Contents/MacOS/firefox' ],
    install: 'Install Firefox (Debian: sudo apt-get install firefox-esr), or set FIREFOX_PATH to its executable.',
  },
}

export const ENGINES = Object.keys(PLACES) as Engine[]

/** Where this engine is installed, or null; an explicit variable is never silently replaced */
export function findBrowser (engine: Engine): string | null {
  let { variable, paths } = PLACES[engine]
  let chosen = process.env[variable]
  if (chosen) return existsSync(chosen) ? chosen : null
  return paths.find(path => existsSync(path)) ?? null
}

export function howToInstall (engine: Engine): string {
  return PLACES[engine].install
}

// Root in CI needs --no-sandbox; the rest stop Chromium calling home (this machine has no internet)
const CHROMIUM_ARGS = [ '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync' ]

/** `chromiumArgs`: switches for Chromium beyond the usual ones (Firefox takes none) */
export function launch (engine: Engine, executablePath: string, chromiumArgs: string[] = []): Promise<Browser> {
  return engine === 'firefox'
    ? puppeteer.launch({ browser: 'firefox', executablePath, headless: true })
    : puppeteer.launch({ browser: 'chrome', executablePath, headless: true, args: [ ...CHROMIUM_ARGS, ...chromiumArgs ] })
}
