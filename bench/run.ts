// npm run bench: our handlers against a plain arc.http() baseline, measured in the same run.
// Warm latency in-process (as a warm Lambda runs), DynamoDB calls per request, cold-start cost and
// cookie size. Writes bench/results.md and prints the same table. Not part of npm test.
// `npm run bench -- --quick` (CI): every step, with a fraction of the samples, printed and not
// written, so a quick run never replaces the figures the docs quote.
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createServer, connect } from 'node:net'
import { createInterface } from 'node:readline'
import { cpus } from 'node:os'
import { mkdirSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { build, type BuildOptions } from 'esbuild'
import sandbox from '@architect/sandbox'
import inventory from '@architect/inventory'
import typescript from '@architect/plugin-typescript'
import type { APIGatewayProxyEventV2 as Event, APIGatewayProxyStructuredResultV2 as Response } from 'aws-lambda'
import { event } from '../test/helpers/lambda.ts'
// Sandbox on free ports, as the tests run it (importing this sets the ARC_*_PORT variables it reads)
import { ports } from '../test/helpers/ports.ts'
import { randomSecret } from '../test/helpers/secrets.ts'
import { askHandlers, authenticator, EVENT_ORIGIN, signUp, uniqueName } from '../test/helpers/passkeys.ts'
import { challengeOf, dbscClient, registrationOf } from '../test/helpers/dbsc-client.ts'
import { bytesByPackage, coldStarts, metafileOf } from './cold-start.ts'
import { compareCrypto } from './crypto.ts'

const root = new URL('..', import.meta.url).pathname
const QUICK = process.argv.includes('--quick')
// Per warm case: seconds of calls; cold: fresh processes per bundle; refreshes timed one by one
const SAMPLES = QUICK ? { caseSeconds: 0.2, coldRuns: 5, refreshes: 20 } : { caseSeconds: 1.5, coldRuns: 20, refreshes: 200 }
const ROUTES = [ 'get-index', 'post-count' ] as const
const OPS = [ 'GetItem', 'PutItem', 'UpdateItem', 'DeleteItem' ]
const STRONG_SECRET = randomSecret()
const bundle = {
  ours: (route: string) => `${root}.build/http/${route}/index.js`,
  baseline: (route: string) => `${root}bench/.build/${route}.cjs`, // .cjs: bench/ is an ES module folder
}
type Impl = keyof typeof bundle
// Ours as it was built before @architect/functions moved to a file of its own (esbuild.config.js)
const oneFile = (route: string) => `${root}bench/.build/${route}-one-file.cjs`
const esbuildOptions = createRequire(import.meta.url)(`${root}esbuild.config.js`) as BuildOptions
// Our build without our esbuild plugin: the baseline, and ours in one file
const withoutPlugin: BuildOptions = { ...esbuildOptions, plugins: [], bundle: true, platform: 'node', format: 'cjs', logLevel: 'error' }

// 1. Build both the way production is built: ours through the TypeScript plugin with
//    deployStage production, the baseline with the same esbuild options (less our plugin, which
//    would only move @architect/functions, which arc.http() loads at once, to a second file)
async function buildAll () {
  await typescript.deploy.start({ inventory: await inventory({ cwd: root, deployStage: 'production' }) })
  mkdirSync(`${root}bench/.build`, { recursive: true })
  for (let route of ROUTES) {
    await build({ ...withoutPlugin, entryPoints: [ `${root}bench/baseline/${route}.ts` ], outfile: bundle.baseline(route) })
    await build({ ...withoutPlugin, entryPoints: [ `${root}src/http/${route}/index.ts` ], outfile: oneFile(route) })
  }
  await build({ ...withoutPlugin, entryPoints: [ `${root}bench/baseline/post-sign-in.ts` ], outfile: bundle.baseline('post-sign-in') })
}

// 2. A TCP pipe in front of Sandbox's DynamoDB that counts operations by their X-Amz-Target header
async function countingProxy (target: number) {
  let counts: Record<string, number> = {}
  let server = createServer(socket => {
    let upstream = connect(target, '127.0.0.1')
    socket.on('data', chunk => {
      for (let [ , op ] of String(chunk).matchAll(/x-amz-target: ?DynamoDB_20120810\.(\w+)/gi)) counts[op] = (counts[op] ?? 0) + 1
    })
    socket.pipe(upstream).pipe(socket)
    socket.on('error', () => upstream.destroy())
    upstream.on('error', () => socket.destroy())
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  let address = server.address()
  let port = typeof address === 'object' && address ? address.port : 0
  return { port, snapshot: () => ({ ...counts }), close: () => server.close() }
}

interface BenchResult { name: string, p50: number, p99: number, perSecond: number }

// 3. A warm worker process per mode (bench/worker.ts), talking JSON lines
function worker (env: Record<string, string>) {
  let child = spawn(process.execPath, [ `${root}bench/worker.ts` ], { env: { PATH: process.env.PATH, ...env }, stdio: [ 'pipe', 'pipe', 'inherit' ] })
  let waiting: { resolve: (line: string) => void, reject: (err: Error) => void }[] = []
  createInterface({ input: child.stdout }).on('line', line => waiting.shift()?.resolve(line))
  child.on('exit', code => {
    for (let call of waiting.splice(0)) call.reject(new Error(`bench worker exited with code ${code}`))
  })
  function ask (message: object): Promise<string> {
    return new Promise((resolve, reject) => {
      waiting.push({ resolve, reject })
      child.stdin.write(JSON.stringify(message) + '\n')
    })
  }
  return {
    call: async (handler: string, e: Event) => (JSON.parse(await ask({ op: 'call', handler, event: e })) as { response: Response }).response,
    bench: async (tasks: object[]) => (JSON.parse(await ask({ op: 'bench', tasks, ms: SAMPLES.caseSeconds * 1000 })) as { results: BenchResult[] }).results,
    close: () => child.kill(),
  }
}

/** The `_idx=…` pair a response sets, from `cookies` (ours) or a set-cookie header (arc.http) */
function cookieOf (response: Response): string {
  let header = response.cookies?.[0] ?? String(response.headers?.['set-cookie'] ?? '')
  return header.split(';')[0]
}

// Sandbox (for its DynamoDB) builds the handlers for `testing` when it starts; build for production after it
process.env.ARC_SESSION_TABLE_NAME = 'session'
await sandbox.start({ cwd: root, quiet: true })
await buildAll()
let proxy = await countingProxy(ports.tables)
let { version: sandboxVersion } = createRequire(import.meta.url)('@architect/sandbox/package.json') as { version: string }

let rows: { mode: string, case: string, ours: BenchResult, baseline: BenchResult, calls: Record<Impl, string> }[] = []
// A bound session's refresh, timed from this process, call by call, beside GET / signed in and bound
let refreshes: { mode: string, challengeMs: number, answerMs: number, pageMs: number }[] = []
let cookieBytes: Record<string, number> = {}
try {
  for (let mode of [ 'cookie', 'table' ]) {
    let lambda = worker({
      ARC_ENV: 'testing', ARC_APP_NAME: 'arc-sessions', ARC_APP_SECRET: STRONG_SECRET, ARC_SESSION_TTL: '604800',
      ARC_SESSION_TABLE_NAME: mode === 'cookie' ? 'jwe' : 'session',
      ARC_SANDBOX: JSON.stringify({ ports: { _arc: ports._arc, tables: proxy.port }, version: sandboxVersion }),
      AWS_ACCESS_KEY_ID: 'sandbox', AWS_SECRET_ACCESS_KEY: 'sandbox', AWS_REGION: 'us-west-2',
    })
    // A signed-in session with a count, in this mode (kept signed in: a cookie with Max-Age)
    let invitation = ''
    let ask = askHandlers(async (route, sent) => {
      let response = await lambda.call(bundle.ours(route), sent)
      invitation = String(response.headers?.['secure-session-registration'] ?? invitation)
      return response
    })
    let name = uniqueName('Ada Lovelace')
    await signUp(ask, authenticator(EVENT_ORIGIN), name, { remember: true })
    // What ours keeps for that user (AppSession's user, src/shared/app.ts), field for field, for the
    // baseline to sign in with: the same data in a plain session
    let user = { name, account: name.toLowerCase(), since: Date.now(), device: 'An unknown device', passkey: randomBytes(32).toString('base64url') }
    let signedIn = await lambda.call(bundle.ours('post-count'), event({ method: 'POST', path: '/count', cookie: ask.cookie(), json: { by: 3 } }))
    cookieBytes[mode] = (signedIn.cookies?.[0] ?? '').length
    // Another sign-in of the account, bound to its device by a software DBSC key (test/helpers/dbsc-client.ts)
    let key = dbscClient()
    let withHeaders = (sent: Event, headers: Record<string, string>) => ({ ...sent, headers: { ...sent.headers, ...headers } })
    let binding = await lambda.call(bundle.ours('post-sessions-bind'), withHeaders(event({ method: 'POST', path: '/sessions/bind', cookie: ask.cookie() }), { 'secure-session-response': key.register(registrationOf(invitation)?.challenge ?? '') }))
    let boundId = (JSON.parse(String(binding.body)) as { session_identifier: string }).session_identifier
    let pair = (name: string) => (binding.cookies ?? []).find(c => c.startsWith(`${name}=`))?.split(';')[0]
    let boundCookies = [ pair('_idx') ?? ask.cookie(), pair('_bound') ].join('; ')

    let cases: Record<Impl, { name: string, handler: string, event: Event }[]> = { ours: [], baseline: [] }
    for (let impl of [ 'ours', 'baseline' ] as Impl[]) {
      let post = event({ method: 'POST', path: '/count', json: { by: 1 } })
      let cookie = cookieOf(await lambda.call(bundle[impl]('post-count'), post))
      let signedInToo = impl === 'ours'
        ? cookieOf(signedIn)
        : cookieOf(await lambda.call(bundle.baseline('post-sign-in'), event({ method: 'POST', path: '/sign-in', cookie, json: { user } })))
      cases[impl] = [
        { name: 'GET / without a cookie', handler: bundle[impl]('get-index'), event: event({}) },
        { name: 'GET / with a session', handler: bundle[impl]('get-index'), event: event({ cookie }) },
        { name: 'POST /count', handler: bundle[impl]('post-count'), event: event({ method: 'POST', path: '/count', cookie, json: { by: 1 } }) },
        // Ours signed in: cookie mode checks the account's "signed out before" time, read once a
        // minute; the baseline has no sign-in, so it reads its own session, as in the case above
        { name: 'GET / signed in (baseline: with a session)', handler: bundle[impl]('get-index'), event: event({ cookie: impl === 'ours' ? cookieOf(signedIn) : cookie }) },
        // Ours bound to its device: the bound cookie's MAC checked on top of the case above
        { name: 'GET / signed in, bound to its device (baseline: with a session)', handler: bundle[impl]('get-index'), event: event({ cookie: impl === 'ours' ? boundCookies : cookie }) },
        // Like with like: the baseline signed in too, its session holding the same user
        { name: 'GET / signed in (baseline: signed in too, the same user in its session)', handler: bundle[impl]('get-index'), event: event({ cookie: signedInToo }) },
      ]
    }

    // DynamoDB calls per request, counted at the proxy: the second of two calls, as a warm Lambda
    // makes them (the first signed-in request also reads cookie mode's "signed out before" time)
    let calls: Record<string, Record<Impl, string>> = {}
    for (let impl of [ 'ours', 'baseline' ] as Impl[]) {
      for (let c of cases[impl]) {
        await lambda.call(c.handler, c.event)
        let before = proxy.snapshot()
        await lambda.call(c.handler, c.event)
        let after = proxy.snapshot()
        let used = OPS.map(op => [ op, (after[op] ?? 0) - (before[op] ?? 0) ] as const).filter(([ , n ]) => n > 0)
        ;(calls[c.name] ??= { ours: '', baseline: '' })[impl] = used.length ? used.map(([ op, n ]) => `${n} ${op}`).join(' + ') : '0'
      }
    }
    // Ours and the baseline side by side, case by case, in the order A B B A, so that drift in the
    // shared DynamoDB (and in this machine) hits both alike; the case that makes the baseline write
    // a row on every call goes last
    let tasks = [ 1, 3, 5, 4, 2, 0 ].flatMap(i => [ 1, 2 ].flatMap(run => {
      let pair = [ { ...cases.ours[i], name: `ours ${cases.ours[i].name} ${run}` }, { ...cases.baseline[i], name: `baseline ${cases.baseline[i].name} ${run}` } ]
      return run === 1 ? pair : pair.toReversed()
    }))
    let results = await lambda.bench(tasks)
    let averaged = (name: string): BenchResult => {
      let [ a, b ] = [ 1, 2 ].map(run => results.find(r => r.name === `${name} ${run}`) as BenchResult)
      return { name, p50: (a.p50 + b.p50) / 2, p99: (a.p99 + b.p99) / 2, perSecond: (a.perSecond + b.perSecond) / 2 }
    }
    for (let c of cases.ours) {
      rows.push({ mode, case: c.name, ours: averaged(`ours ${c.name}`), baseline: averaged(`baseline ${c.name}`), calls: calls[c.name] })
    }
    // A refresh cannot run as a fixed event (each answer spends its challenge): 200 of them (QUICK: 20), each
    // asked (403) then answered, timed one call at a time, and a bound page view between, timed the same way
    let timings: { challengeMs: number, answerMs: number, pageMs: number }[] = []
    let refreshEvent = (headers: Record<string, string>) => withHeaders(event({ method: 'POST', path: '/sessions/bind/refresh', cookie: boundCookies }), { 'sec-secure-session-id': boundId, ...headers })
    for (let n = 0; n < SAMPLES.refreshes; n++) {
      let started = performance.now()
      let asked = await lambda.call(bundle.ours('post-sessions-bind-refresh'), refreshEvent({}))
      let challenged = performance.now()
      let answer = key.refresh(challengeOf(String(asked.headers?.['secure-session-challenge']))?.challenge ?? '')
      let signed = performance.now()
      let answered = await lambda.call(bundle.ours('post-sessions-bind-refresh'), refreshEvent({ 'secure-session-response': answer }))
      let done = performance.now()
      if (answered.statusCode !== 200) throw new Error(`refresh answered ${answered.statusCode}`)
      await lambda.call(bundle.ours('get-index'), event({ cookie: boundCookies }))
      timings.push({ challengeMs: challenged - started, answerMs: done - signed, pageMs: performance.now() - done })
    }
    let median = (values: number[]) => values.toSorted((a, b) => a - b)[Math.floor(values.length / 2)]
    refreshes.push({ mode, challengeMs: median(timings.map(x => x.challengeMs)), answerMs: median(timings.map(x => x.answerMs)), pageMs: median(timings.map(x => x.pageMs)) })
    lambda.close()
  }
}
finally {
  proxy.close()
  await sandbox.end()
}
// Cold start, cookie mode (no ARC_SESSION_TABLE_NAME): each handler's bundle, and in table mode
// what the store adds on first use (architect-functions.cjs)
let coldEnv = { PATH: String(process.env.PATH), ARC_ENV: 'production', ARC_APP_SECRET: STRONG_SECRET, PASSKEY_ORIGIN: 'https://app.example.com' }
// The passkey routes, which alone bundle @simplewebauthn/server and its ASN.1 parsers
const PASSKEY_ROUTES = [ 'post-passkeys-register-options', 'post-passkeys-register', 'post-passkeys-login-options', 'post-passkeys-login' ]
// An empty file: what require() costs before any code of ours or Architect's
writeFileSync(`${root}bench/.build/empty.cjs`, '')
let coldBundles: Record<string, string> = { 'architect-functions.cjs': `${root}.build/http/get-index/architect-functions.cjs`, 'an empty file': `${root}bench/.build/empty.cjs` }
for (let route of ROUTES) Object.assign(coldBundles, { [`ours ${route}`]: bundle.ours(route), [`one file ${route}`]: oneFile(route), [`baseline ${route}`]: bundle.baseline(route) })
for (let route of PASSKEY_ROUTES) coldBundles[`ours ${route}`] = bundle.ours(route)
coldBundles['ours post-sessions-bind-refresh'] = bundle.ours('post-sessions-bind-refresh')
let cold = coldStarts(coldBundles, coldEnv, SAMPLES.coldRuns)
let coldOf = (name: string) => cold.find(c => c.name === name) ?? cold[0]
let contents = {
  handler: bytesByPackage(await metafileOf(`${root}src/http/get-index/index.ts`, { ...withoutPlugin, external: [ ...esbuildOptions.external ?? [], '@architect/functions' ] })),
  functions: bytesByPackage(await metafileOf(`${root}node_modules/@architect/functions/src/index.js`, withoutPlugin)),
}
let crypto = await compareCrypto(STRONG_SECRET)

let ms = (n: number) => n < 1 ? n.toFixed(3) : n.toFixed(2)
let lines = [
  '# Benchmark results',
  '',
  `Machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, Node.js ${process.version}. ${new Date().toISOString().slice(0, 10)}.`,
  'Command: `npm run bench`. Ours = this app\'s handlers; baseline = the same routes with plain `arc.http()` (bench/baseline).',
  'Both built the way production is built (minified esbuild bundles). Table mode runs against Sandbox\'s local DynamoDB.',
  '',
  `## Warm handler, in-process (tinybench: ${SAMPLES.caseSeconds} s per case, run twice as A B B A and averaged)`,
  '',
  '| mode | case | ours p50 ms | ours p99 ms | baseline p50 ms | baseline p99 ms | throughput ours / baseline | DynamoDB calls, ours | DynamoDB calls, baseline |',
  '|---|---|---|---|---|---|---|---|---|',
  ...rows.map(r => `| ${r.mode} | ${r.case} | ${ms(r.ours.p50)} | ${ms(r.ours.p99)} | ${ms(r.baseline.p50)} | ${ms(r.baseline.p99)} | ${(r.ours.perSecond / r.baseline.perSecond).toFixed(2)}× | ${r.calls.ours} | ${r.calls.baseline} |`),
  '',
  '## Cold start',
  '',
  `Module initialisation in cookie mode, median of ${SAMPLES.coldRuns} fresh processes per bundle: wall time minus the median of ${SAMPLES.coldRuns} \`node -e 0\`, and the \`require()\` time measured inside the process. "One file" is our handler built without the esbuild plugin that puts @architect/functions in \`architect-functions.cjs\` (the build before this change).`,
  '',
  '| route | ours KB | one file KB | baseline KB | ours wall − bare ms | baseline wall − bare ms | ours / baseline | ours require ms | one file require ms | baseline require ms | ours / baseline | one file / baseline |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ...ROUTES.map(route => {
    let [ ours, one, base ] = [ 'ours', 'one file', 'baseline' ].map(impl => coldOf(`${impl} ${route}`))
    let kb = (c: typeof ours) => (c.bytes / 1024).toFixed(1)
    return `| ${route} | ${kb(ours)} | ${kb(one)} | ${kb(base)} | ${ms(ours.wallMs)} | ${ms(base.wallMs)} | ${(ours.wallMs / base.wallMs).toFixed(2)}× | ${ms(ours.requireMs)} | ${ms(one.requireMs)} | ${ms(base.requireMs)} | ${(ours.requireMs / base.requireMs).toFixed(2)}× | ${(one.requireMs / base.requireMs).toFixed(2)}× |`
  }),
  '',
  `Where the time goes: require() of an empty file takes ${ms(coldOf('an empty file').requireMs)} ms here (Node's loader, before any code); the handler's own bundle adds the rest of its figure above. Table mode's store requires \`architect-functions.cjs\` (${(coldOf('architect-functions.cjs').bytes / 1024).toFixed(1)} KB) on its first request: ${ms(coldOf('architect-functions.cjs').requireMs)} ms of require() on its own (the one-file build had every cold start parse it).`,
  '',
  '### The passkey routes',
  '',
  'The same measure for the passkey routes of sign-up and sign-in. The answers (`post-passkeys-register`, `post-passkeys-login`, and the fresh check\'s `post-passkeys-verify`) are the only routes that bundle @simplewebauthn/server and its ASN.1 parsers; the options routes make their options themselves (src/shared/auth/passkeys.ts). A visitor pays for them once per cold start of a route they sign in through, never on GET / or POST /count.',
  '',
  '| route | KB | wall − bare ms | require ms | require / ours GET / |',
  '|---|---|---|---|---|',
  ...PASSKEY_ROUTES.map(route => {
    let c = coldOf(`ours ${route}`)
    return `| ${route} | ${(c.bytes / 1024).toFixed(1)} | ${ms(c.wallMs)} | ${ms(c.requireMs)} | ${(c.requireMs / coldOf('ours get-index').requireMs).toFixed(1)}× |`
  }),
  '',
  '### What each file holds (esbuild metafile, minified bytes)',
  '',
  '| the handler\'s bundle (GET /) | KB | architect-functions.cjs | KB |',
  '|---|---|---|---|',
  ...Array.from({ length: Math.min(10, Math.max(contents.handler.length, contents.functions.length)) }, (_, i) => {
    let [ a, b ] = [ contents.handler[i], contents.functions[i] ]
    return `| ${a?.[0] ?? ''} | ${a ? (a[1] / 1024).toFixed(1) : ''} | ${b?.[0] ?? ''} | ${b ? (b[1] / 1024).toFixed(1) : ''} |`
  }),
  '',
  '## Sealing and opening a cookie (cookie mode)',
  '',
  'The same token, in-process, tinybench p50: the wrapper\'s node:crypto AES-GCM against jose, which it used before and which the tests keep as their oracle.',
  '',
  '| operation | node:crypto µs | jose µs | jose / node:crypto |',
  '|---|---|---|---|',
  ...crypto.map(c => `| ${c.name} | ${c.oursUs.toFixed(1)} | ${c.joseUs.toFixed(1)} | ${(c.joseUs / c.oursUs).toFixed(1)}× |`),
  '',
  '## Device-bound sessions (DBSC)',
  '',
  `A bound session's page view also checks its bound cookie (one MAC the first time a warm Lambda sees it, a lookup after), and its cookie carries the device's public key: warm GET / signed in and bound runs at ${rows.filter(r => r.case.startsWith('GET / signed in, bound')).map(r => `${(r.ours.perSecond / (rows.find(u => u.mode === r.mode && u.case.startsWith('GET / signed in (')) ?? r).ours.perSecond).toFixed(2)}× the throughput of signed in and unbound (${r.mode} mode)`).join(', ')}.`,
  '',
  `A refresh, warm, in the same worker, timed call by call from the orchestrator (so each figure includes the same message round trip), median of ${SAMPLES.refreshes}: the challenge (\`403\`), the signed answer (\`200\`, spending the challenge: one PutItem), and a bound GET / between them for scale.`,
  '',
  '| mode | refresh: challenge ms | refresh: answer ms | GET / bound ms | answer / GET / |',
  '|---|---|---|---|---|',
  ...refreshes.map(r => `| ${r.mode} | ${ms(r.challengeMs)} | ${ms(r.answerMs)} | ${ms(r.pageMs)} | ${(r.answerMs / r.pageMs).toFixed(1)}× |`),
  '',
  `Cold start of the refresh route (cookie mode, as above): ${ms(coldOf('ours post-sessions-bind-refresh').wallMs)} ms wall − bare, ${ms(coldOf('ours post-sessions-bind-refresh').requireMs)} ms require(), against ${ms(coldOf('ours get-index').requireMs)} ms for GET /; ${(coldOf('ours post-sessions-bind-refresh').bytes / 1024).toFixed(1)} KB.`,
  '',
  '## Cookie size',
  '',
  `A signed-in user with a count: the Set-Cookie header is ${cookieBytes.cookie} bytes in cookie mode and ${cookieBytes.table} bytes in table mode.`,
  '',
]
if (QUICK) lines.unshift('(npm run bench -- --quick: a fraction of the samples; bench/results.md is left as it was)', '')
else writeFileSync(`${root}bench/results.md`, lines.join('\n'))
console.log(lines.join('\n'))
