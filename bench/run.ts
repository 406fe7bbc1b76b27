// npm run bench: our handlers against a plain arc.http() baseline, measured in the same run.
// Warm latency in-process (as a warm Lambda runs), DynamoDB calls per request, cold-start cost and
// cookie size. Writes bench/results.md and prints the same table. Not part of npm test.
import { spawn, spawnSync } from 'node:child_process'
import { createServer, connect } from 'node:net'
import { createInterface } from 'node:readline'
import { cpus } from 'node:os'
import { mkdirSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { build } from 'esbuild'
import sandbox from '@architect/sandbox'
import inventory from '@architect/inventory'
import typescript from '@architect/plugin-typescript'
import type { APIGatewayProxyEventV2 as Event, APIGatewayProxyStructuredResultV2 as Response } from 'aws-lambda'
import { event } from '../test/helpers/lambda.ts'
import { randomSecret } from '../test/helpers/secrets.ts'

const root = new URL('..', import.meta.url).pathname
const ROUTES = [ 'get-index', 'post-count' ] as const
const OPS = [ 'GetItem', 'PutItem', 'UpdateItem', 'DeleteItem' ]
const STRONG_SECRET = randomSecret()
const bundle = {
  ours: (route: string) => `${root}.build/http/${route}/index.js`,
  baseline: (route: string) => `${root}bench/.build/${route}.cjs`, // .cjs: bench/ is an ES module folder
}
type Impl = keyof typeof bundle

// 1. Build both the way production is built: ours through the TypeScript plugin with
//    deployStage production, the baseline with the same esbuild options
async function buildAll () {
  await typescript.deploy.start({ inventory: await inventory({ cwd: root, deployStage: 'production' }) })
  let options = createRequire(import.meta.url)(`${root}esbuild.config.js`) as object
  mkdirSync(`${root}bench/.build`, { recursive: true })
  for (let route of ROUTES) {
    await build({ ...options, entryPoints: [ `${root}bench/baseline/${route}.ts` ], bundle: true, platform: 'node', format: 'cjs', outfile: bundle.baseline(route), logLevel: 'error' })
  }
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
    bench: async (tasks: object[]) => (JSON.parse(await ask({ op: 'bench', tasks })) as { results: BenchResult[] }).results,
    close: () => child.kill(),
  }
}

/** The `_idx=…` pair a response sets, from `cookies` (ours) or a set-cookie header (arc.http) */
function cookieOf (response: Response): string {
  let header = response.cookies?.[0] ?? String(response.headers?.['set-cookie'] ?? '')
  return header.split(';')[0]
}

function median (values: number[]): number {
  let sorted = values.toSorted((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}

// 4. Cold start: 20 fresh processes per bundle. Two figures: wall time minus a bare `node -e 0`
//    (what a cold Lambda adds), and the require() time the process measures itself (less noisy)
function coldStarts () {
  let env = { PATH: process.env.PATH, ARC_ENV: 'production', ARC_APP_SECRET: STRONG_SECRET }
  let run = (code: string) => {
    let started = performance.now()
    let { stdout } = spawnSync(process.execPath, [ '-e', code ], { env })
    return { wall: performance.now() - started, inside: Number(String(stdout)) }
  }
  let requireTimed = (path: string) => `let t = performance.now(); require(${JSON.stringify(path)}); process.stdout.write(String(performance.now() - t))`
  let bare: number[] = []
  let samples: Record<string, { wall: number, inside: number }[]> = {}
  for (let i = 0; i < 20; i++) {
    // interleaved, so that noise on this 2-core machine hits every candidate alike
    bare.push(run('0').wall)
    for (let route of ROUTES) {
      for (let impl of [ 'ours', 'baseline' ] as Impl[]) {
        (samples[`${impl} ${route}`] ??= []).push(run(requireTimed(bundle[impl](route))))
      }
    }
  }
  return ROUTES.flatMap(route => ([ 'ours', 'baseline' ] as Impl[]).map(impl => {
    let runs = samples[`${impl} ${route}`]
    return {
      route,
      impl,
      bytes: statSync(bundle[impl](route)).size,
      wallMs: median(runs.map(r => r.wall)) - median(bare),
      requireMs: median(runs.map(r => r.inside)),
    }
  }))
}

// Sandbox (for its DynamoDB) builds the handlers for `testing` when it starts; build for production after it
process.env.ARC_SESSION_TABLE_NAME = 'session'
await sandbox.start({ cwd: root, quiet: true })
await buildAll()
let proxy = await countingProxy(5555)
let { version: sandboxVersion } = createRequire(import.meta.url)('@architect/sandbox/package.json') as { version: string }

let rows: { mode: string, case: string, ours: BenchResult, baseline: BenchResult, calls: Record<Impl, string> }[] = []
let cookieBytes: Record<string, number> = {}
try {
  for (let mode of [ 'cookie', 'table' ]) {
    let lambda = worker({
      ARC_ENV: 'testing', ARC_APP_NAME: 'arc-sessions', ARC_APP_SECRET: STRONG_SECRET, ARC_SESSION_TTL: '604800',
      ARC_SESSION_TABLE_NAME: mode === 'cookie' ? 'jwe' : 'session',
      ARC_SANDBOX: JSON.stringify({ ports: { _arc: 2222, tables: proxy.port }, version: sandboxVersion }),
      AWS_ACCESS_KEY_ID: 'sandbox', AWS_SECRET_ACCESS_KEY: 'sandbox', AWS_REGION: 'us-west-2',
    })
    let cases: Record<Impl, { name: string, handler: string, event: Event }[]> = { ours: [], baseline: [] }
    for (let impl of [ 'ours', 'baseline' ] as Impl[]) {
      let post = event({ method: 'POST', path: '/count', json: { by: 1 } })
      let cookie = cookieOf(await lambda.call(bundle[impl]('post-count'), post))
      cases[impl] = [
        { name: 'GET / without a cookie', handler: bundle[impl]('get-index'), event: event({}) },
        { name: 'GET / with a session', handler: bundle[impl]('get-index'), event: event({ cookie }) },
        { name: 'POST /count', handler: bundle[impl]('post-count'), event: event({ method: 'POST', path: '/count', cookie, json: { by: 1 } }) },
      ]
    }
    // A signed-in session with a count, in this mode
    let login = await lambda.call(`${root}.build/http/post-login/index.js`, event({ method: 'POST', path: '/login', json: { name: 'Ada Lovelace' } }))
    let signedIn = await lambda.call(bundle.ours('post-count'), event({ method: 'POST', path: '/count', cookie: cookieOf(login), json: { by: 3 } }))
    cookieBytes[mode] = (signedIn.cookies?.[0] ?? '').length

    // DynamoDB calls per request: one call each, counted at the proxy
    let calls: Record<string, Record<Impl, string>> = {}
    for (let impl of [ 'ours', 'baseline' ] as Impl[]) {
      for (let c of cases[impl]) {
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
    let tasks = [ 1, 2, 0 ].flatMap(i => [ 1, 2 ].flatMap(run => {
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
    lambda.close()
  }
}
finally {
  proxy.close()
  await sandbox.end()
}
let cold = coldStarts()

let ms = (n: number) => n < 1 ? n.toFixed(3) : n.toFixed(2)
let lines = [
  '# Benchmark results',
  '',
  `Machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, Node.js ${process.version}. ${new Date().toISOString().slice(0, 10)}.`,
  'Command: `npm run bench`. Ours = this app\'s handlers; baseline = the same routes with plain `arc.http()` (bench/baseline).',
  'Both built the way production is built (minified esbuild bundles). Table mode runs against Sandbox\'s local DynamoDB.',
  '',
  '## Warm handler, in-process (tinybench: 1.5 s per case, run twice as A B B A and averaged)',
  '',
  '| mode | case | ours p50 ms | ours p99 ms | baseline p50 ms | baseline p99 ms | throughput ours / baseline | DynamoDB calls, ours | DynamoDB calls, baseline |',
  '|---|---|---|---|---|---|---|---|---|',
  ...rows.map(r => `| ${r.mode} | ${r.case} | ${ms(r.ours.p50)} | ${ms(r.ours.p99)} | ${ms(r.baseline.p50)} | ${ms(r.baseline.p99)} | ${(r.ours.perSecond / r.baseline.perSecond).toFixed(2)}× | ${r.calls.ours} | ${r.calls.baseline} |`),
  '',
  '## Cold start',
  '',
  'Module initialisation, median of 20 fresh processes per bundle: wall time minus the median of 20 `node -e 0`, and the `require()` time measured inside the process.',
  '',
  '| route | ours KB | baseline KB | ours wall − bare ms | baseline wall − bare ms | ours / baseline | ours require ms | baseline require ms | ours / baseline |',
  '|---|---|---|---|---|---|---|---|---|',
  ...ROUTES.map(route => {
    let [ ours, base ] = [ 'ours', 'baseline' ].map(impl => cold.find(c => c.route === route && c.impl === impl)) as typeof cold
    return `| ${route} | ${(ours.bytes / 1024).toFixed(1)} | ${(base.bytes / 1024).toFixed(1)} | ${ms(ours.wallMs)} | ${ms(base.wallMs)} | ${(ours.wallMs / base.wallMs).toFixed(2)}× | ${ms(ours.requireMs)} | ${ms(base.requireMs)} | ${(ours.requireMs / base.requireMs).toFixed(2)}× |`
  }),
  '',
  '## Cookie size',
  '',
  `A signed-in user with a count: the Set-Cookie header is ${cookieBytes.cookie} bytes in cookie mode and ${cookieBytes.table} bytes in table mode.`,
  '',
]
writeFileSync(`${root}bench/results.md`, lines.join('\n'))
console.log(lines.join('\n'))
