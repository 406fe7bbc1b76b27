// The README's cookie sizes are the page's own figure for the session its screenshots show (signed
// in as `Ada <Lovelace>`, count 3, one item in the cart), so the table, the screenshots and the page
// agree (the browser test checks the screenshot's page against the same figure).
import test from 'tape'
import { start, end, mode } from '../helpers/sandbox.ts'
import { visitor } from '../helpers/browser-like.ts'
import { askOver, authenticator, SANDBOX_ORIGIN, signUp } from '../helpers/passkeys.ts'
import { COOKIE_MODE_BYTES, tableModeBytes } from '../helpers/readme.ts'

test('start Sandbox', start)

test('the page shows the README\'s cookie size for the screenshots\' session', async t => {
  let browser = visitor()
  await browser.post('/count', 'by=3')
  // As the browser test's headless Chromium signs up: the session names its device, "Chrome on Linux"
  let chromium = { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36' }
  await signUp(askOver(browser, chromium), authenticator(SANDBOX_ORIGIN), 'Ada <Lovelace>')
  await browser.post('/cart', `item=${encodeURIComponent('A cup of tea')}`)
  let shown = Number(/<strong>(\d+)-byte<\/strong>/.exec((await browser.get('/')).text)?.[1])
  if (mode === 'cookie') t.equal(shown, COOKIE_MODE_BYTES, `cookie mode: the page and the README both say ${shown} bytes`)
  else t.equal(shown, tableModeBytes(browser.cookie), `table mode: ${shown} bytes, as the README's rule gives for this signature`)
})

test('end Sandbox', end)
