// The wrapper drops into an existing JavaScript Architect app, as the README's "Use it in your
// app" says. This reads that section's steps (its code blocks), follows them in a new app in a
// temporary folder, with a real `npm install` from the registry, type-checks it, starts Sandbox
// there and checks both the app's old `.mjs` route and a session, in each mode.
// Without the registry it prints one line and skips, unless DROP_IN_REQUIRED is set (CI sets it).
import test from 'tape'
import { execFileSync, spawn } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sandbox from '@architect/sandbox'
import { root, base, stopSandbox } from '../helpers/sandbox.ts'
import { modeOf } from '../../src/shared/session/config.ts'
import { randomSecret } from '../helpers/secrets.ts'

/** The fenced code blocks of the README's "Use it in your app", in order, with their language */
function readmeSteps (): { lang: string, code: string }[] {
  let readme = readFileSync(join(root, 'README.md'), 'utf8')
  let section = readme.slice(readme.indexOf('## Use it in your app'), readme.indexOf('\n## ', readme.indexOf('## Use it in your app') + 1))
  return [ ...section.matchAll(/^( *)```(\w+)\n([\s\S]*?)^\1```/gm) ].map(([ , indent, lang, code ]) => ({
    lang,
    code: code.split('\n').map(line => line.slice(indent.length)).join('\n'),
  }))
}

// The app's own JavaScript route, from before it adopted the wrapper, with headers of its own
const OLD_ROUTE = `export async function handler () {
  return { statusCode: 200, headers: { 'content-type': 'text/plain', 'cache-control': 'public, max-age=60' }, body: 'hello from JavaScript' }
}
`

/** Runs a command in `cwd` to its end; resolves with its output, rejects with it */
function run (command: string, args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let child = spawn(command, args, { cwd, stdio: [ 'ignore', 'pipe', 'pipe' ] })
    let output = ''
    child.stdout.on('data', chunk => { output += String(chunk) })
    child.stderr.on('data', chunk => { output += String(chunk) })
    child.on('close', code => code === 0 ? resolve(output) : reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${output}`)))
  })
}

function registryAnswers (): boolean {
  try {
    execFileSync('npm', [ 'view', 'cookie', 'version', '--fetch-timeout=5000', '--fetch-retries=0' ], { stdio: 'pipe' })
    return true
  }
  catch {
    return false
  }
}

// Sandbox's DynamoDB takes any credentials; without some, its AWS client says it found none
process.env.AWS_ACCESS_KEY_ID ??= 'sandbox'
process.env.AWS_SECRET_ACCESS_KEY ??= 'sandbox'

let app = ''
let online = registryAnswers()
if (!online) {
  console.log('SKIPPED drop-in: the npm registry did not answer, so the README\'s install commands cannot run here')
  test('the npm registry answers, or this run may skip the drop-in test', t => {
    t.notOk(process.env.DROP_IN_REQUIRED, 'DROP_IN_REQUIRED is not set')
    t.end()
  })
}

if (online) {
  test('a JavaScript Architect app follows the README\'s steps: files copied, packages installed from the registry', async t => {
    let steps = readmeSteps()
    t.deepEqual(steps.map(step => step.lang), [ 'sh', 'arc', 'arc', 'json', 'ts' ], 'the README\'s steps: install, app.arc, config.arc, tsconfig.json, the route')
    let [ install, appArc, configArc, tsconfig, route ] = steps.map(step => step.code)

    app = mkdtempSync(join(tmpdir(), 'drop-in-'))
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'my-app', private: true }))
    mkdirSync(join(app, 'src/http/get-hello'), { recursive: true })
    writeFileSync(join(app, 'src/http/get-hello/index.mjs'), OLD_ROUTE)

    // Step 1: the files the README lists
    for (let path of [ 'src/shared/session.ts', 'src/shared/session', 'esbuild.config.js' ]) cpSync(join(root, path), join(app, path), { recursive: true })
    // Step 2: its install commands, as written
    for (let line of install.split('\n').filter(Boolean)) {
      let [ command, ...args ] = line.split(/\s+/)
      await run(command, [ ...args, '--no-audit', '--no-fund' ], app)
    }
    let installed = JSON.parse(readFileSync(join(app, 'node_modules/cookie/package.json'), 'utf8')) as { version: string }
    t.pass(`installed from the registry, cookie ${installed.version} among them`)
    // Steps 3 to 7
    writeFileSync(join(app, 'app.arc'), appArc)
    mkdirSync(join(app, 'src/http/get-index'), { recursive: true })
    writeFileSync(join(app, 'src/http/get-index/config.arc'), configArc)
    writeFileSync(join(app, 'tsconfig.json'), tsconfig)
    writeFileSync(join(app, 'prefs.arc'), `@env\ntesting\n  ARC_APP_SECRET ${randomSecret()}\n`)
    writeFileSync(join(app, 'src/http/get-index/index.ts'), route)
  })

  test('the app type-checks with what the README installs', async t => {
    // Whichever TypeScript npm installs today (the README names the versions this has passed with)
    t.match(await run('npx', [ 'tsc', '--version' ], app), /^Version \d+\.\d+/, `with ${(await run('npx', [ 'tsc', '--version' ], app)).trim()}`)
    t.equal(await run('npx', [ 'tsc', '--noEmit', '-p', '.' ], app), '', 'npx tsc --noEmit reports nothing')
  })

  // Both modes, whichever mode this run is in: only these last steps depend on it, so npm test runs
  // this file in cookie mode's lane alone (scripts/test.ts), and installs from the registry once.
  // Sandbox gives each Lambda the mode in this process's ARC_SESSION_TABLE_NAME when it calls it.
  for (let tableName of [ 'jwe', 'session' ]) {
    let appMode = modeOf({ ARC_SESSION_TABLE_NAME: tableName })
    test(`in ${appMode} mode: the old .mjs route answers as before, and the new route keeps a session`, async t => {
      // (one Sandbox to a process: the app's own, which the files before this one used, ends first)
      await stopSandbox()
      let runMode = process.env.ARC_SESSION_TABLE_NAME
      process.env.ARC_SESSION_TABLE_NAME = tableName
      try {
        t.ok(await sandbox.start({ cwd: app, quiet: true }), `Sandbox started in ${app}`)
        let hello = await fetch(`${base}/hello`)
        t.equal(hello.status, 200, 'GET /hello, the JavaScript route: 200')
        t.equal(await hello.text(), 'hello from JavaScript', 'with its own body')
        t.equal(hello.headers.get('cache-control'), 'public, max-age=60', 'and its own headers')

        let first = await fetch(`${base}/`)
        let setCookie = first.headers.getSetCookie()[0] ?? ''
        t.match(setCookie, /^_idx=[^;]{20,}; Max-Age=604800; Path=\/; HttpOnly; SameSite=Lax$/, 'a real session cookie')
        t.deepEqual(await first.json(), { visits: 1, mode: appMode }, 'the first visit')
        let second = await fetch(`${base}/`, { headers: { cookie: setCookie.split(';')[0] } })
        t.deepEqual(await second.json(), { visits: 2, mode: appMode }, 'the second visit reads the session the first one wrote')
        t.ok(await sandbox.end(), 'Sandbox ended')
      }
      finally {
        if (runMode === undefined) delete process.env.ARC_SESSION_TABLE_NAME
        else process.env.ARC_SESSION_TABLE_NAME = runMode
      }
    })
  }

  test('remove the app', t => {
    rmSync(app, { recursive: true, force: true })
    t.end()
  })
}
