// A real Chromium drives the app against Sandbox: forms, redirects, cookies and flash messages as
// a visitor meets them. `npm run test:e2e` runs this file once per mode.
import test from 'tape'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { createRequire } from 'node:module'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { start, end, mode, root, base } from '../helpers/sandbox.ts'
import { findChromium, CHROMIUM_ARGS, HOW_TO_INSTALL } from '../helpers/chromium.ts'

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

let browser: Browser
let context: BrowserContext
let page: Page
// Chromium reports every Content-Security-Policy violation on the console
let consoleMessages: string[] = []

/** Clicks a form button and waits until the page it redirects to (GET /) has loaded */
async function submit (button: string) {
  // The URL is / before and after, so wait for the GET / itself rather than for a URL change
  let reloaded = page.waitForResponse(res => res.url() === `${base}/` && res.request().method() === 'GET')
  await page.click(button)
  await reloaded
  await page.waitForLoadState()
}

async function count (): Promise<string> {
  return (await page.textContent('#count')) ?? ''
}

test('start Sandbox and Chromium', async t => {
  let executablePath = findChromium()
  if (!executablePath) throw new Error(`No Chromium found. ${HOW_TO_INSTALL}`)
  await start(t)
  browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS })
  context = await browser.newContext()
  page = await context.newPage()
  page.on('console', message => consoleMessages.push(message.text()))
  t.pass(`Chromium ${browser.version()} at ${executablePath}`)
})

test('clicking Count three times, then reloading, shows 3', async t => {
  await page.goto(base)
  t.equal(await count(), '0')
  for (let i = 0; i < 3; i++) {
    await submit('button:has-text("Count")')
  }
  await page.reload()
  t.equal(await count(), '3')
})

test('a bad `by` sent through the form shows the error exactly once, and the count is kept', async t => {
  // The number input would stop the browser from sending 1000; switch that off, as an old browser would
  await page.evaluate('document.querySelector(\'form[action="/count"]\').noValidate = true')
  await page.fill('#by', '1000')
  await submit('button:has-text("Count")')
  t.equal(await page.textContent('[role="alert"]'), '"by" must be a whole number from 1 to 100')
  t.equal(await count(), '3', 'count kept')
  await page.reload()
  t.equal(await page.$('[role="alert"]'), null, 'gone after a reload')
})

test('the _idx cookie in the browser is HttpOnly and SameSite=Lax', async t => {
  let cookie = (await context.cookies(base)).find(c => c.name === '_idx')
  t.ok(cookie, 'the browser holds _idx')
  t.equal(cookie?.httpOnly, true, 'HttpOnly')
  t.equal(cookie?.sameSite, 'Lax', 'SameSite=Lax')
  t.equal(await page.evaluate('document.cookie'), '', 'no script can see it')
  let value = decodeURIComponent(cookie?.value ?? '')
  if (mode === 'table') t.match(value, /^[\w-]{24}\.[\w+/]{43}$/, 'table mode: a signed id, not a JWE')
  else t.equal(value.split('.').length, 5, 'cookie mode: a JWE')
})

test('signing in shows the name; signing out shows the visitor signed out', async t => {
  await page.fill('#name', 'Ada <Lovelace>')
  await submit('button:has-text("Sign in")')
  t.equal(await page.textContent('section[aria-labelledby="account"] strong'), 'Ada <Lovelace>')
  t.equal(await count(), '3', 'the count came along')
  await page.fill('#item', 'A cup of tea')
  await submit('button:has-text("Add to cart")')
  t.match(await page.textContent('#stored') ?? '', mode === 'table' ? /\d+-byte.*a signed id.*the row/ : /\d+-byte.*whole session in it/, 'the panel says what is stored where')

  // Only `npm run screenshots` updates the README's pictures: tests leave the tree as they found it
  if (process.env.SCREENSHOTS) await page.screenshot({ path: `${root}docs/screenshot-${mode}.png`, fullPage: true })

  await submit('button:has-text("Sign out")')
  t.ok(await page.$('#name'), 'the sign-in form is back')
  t.equal(await count(), '0', 'and the session is new')
})

test('the page has no serious or critical accessibility violations (axe-core)', async t => {
  await page.evaluate(axeSource)
  let violations = await page.evaluate<{ id: string, impact: string | null }[]>('axe.run().then(r => r.violations.map(v => ({ id: v.id, impact: v.impact })))')
  let serious = violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
  t.deepEqual(serious, [], `no serious or critical violations${violations.length ? ` (minor: ${violations.map(v => v.id).join(', ')})` : ''}`)
})

test('Chromium reported no Content-Security-Policy violation on any page above', async t => {
  let violations = consoleMessages.filter(text => /Content Security Policy/i.test(text))
  t.deepEqual(violations, [], `none among ${consoleMessages.length} console messages`)
  // The policy allows the page's inline <style> by its hash: were the hash wrong, this would be 400
  t.equal(await page.evaluate('getComputedStyle(document.querySelector("#count")).fontWeight'), '700', 'and the page\'s own style applies')
})

test('a page on another origin cannot frame the app', async t => {
  let other = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' })
    res.end(`<!doctype html><title>Another site</title><iframe src="${base}/"></iframe>`)
  })
  await new Promise<void>(resolve => other.listen(0, '127.0.0.1', resolve))
  let address = other.address()
  let port = typeof address === 'object' && address ? address.port : 0
  let framer = await context.newPage()
  let refusal = framer.waitForEvent('console', { predicate: message => /frame-ancestors/.test(message.text()), timeout: 10_000 })
  await framer.goto(`http://127.0.0.1:${port}/`)
  t.match((await refusal).text(), /violates .*"frame-ancestors 'none'"\. The request has been blocked/, 'Chromium refuses to frame it')
  let frame = framer.frames().find(f => f !== framer.mainFrame())
  t.equal(await frame?.$('#count'), null, 'and the app does not render inside the frame')
  await framer.close()
  await new Promise(resolve => other.close(resolve))
})

test('close Chromium and Sandbox', async t => {
  await browser?.close()
  await end(t)
})
