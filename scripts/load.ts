// npm run test:load: 300 requests, 10 at a time, mixing GET / and POST /count, against Sandbox in
// each mode. All requests share one session, the worst case for lost updates. Fails (exit 1) on any
// error, or if table mode's final count is not exact. Cookie mode is expected to lose updates.
import sandbox from '@architect/sandbox'
// Free ports, so a running `npm start` is no obstacle
import { base as BASE } from '../test/helpers/ports.ts'

const TOTAL = 300
const CONCURRENCY = 10
const root = new URL('..', import.meta.url).pathname

interface Run { mode: string, errors: number, posts: number, finalCount: number, expected: number, perSecond: number }

async function request (method: string, path: string, cookie: string): Promise<{ status: number, cookie: string, count: number }> {
  let res = await fetch(BASE + path, {
    method,
    headers: { accept: 'application/json', 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
    body: method === 'POST' ? '{"by":1}' : undefined,
  })
  let body = await res.json() as { count?: number }
  let set = res.headers.getSetCookie().find(c => c.startsWith('_idx='))
  return { status: res.status, cookie: set ? set.split(';')[0] : cookie, count: body.count ?? -1 }
}

async function run (tableName: string): Promise<Run> {
  process.env.ARC_SESSION_TABLE_NAME = tableName
  await sandbox.start({ cwd: root, quiet: true })
  try {
    // One shared session, as if ten browser tabs clicked at once
    let { cookie } = await request('POST', '/count', '')
    let start = performance.now()
    let next = 0
    let errors = 0
    let posts = 0
    async function worker () {
      while (next < TOTAL) {
        let method = next++ % 2 ? 'POST' : 'GET'
        if (method === 'POST') posts++
        try {
          let res = await request(method, method === 'POST' ? '/count' : '/', cookie)
          if (res.status !== 200) errors++
          cookie = res.cookie // like a browser: the last Set-Cookie wins
        }
        catch {
          errors++
        }
      }
    }
    await Promise.all(Array.from({ length: CONCURRENCY }, worker))
    let seconds = (performance.now() - start) / 1000
    let finalCount = (await request('GET', '/', cookie)).count
    return { mode: tableName === 'jwe' ? 'cookie' : 'table', errors, posts, finalCount, expected: posts + 1, perSecond: TOTAL / seconds }
  }
  finally {
    await sandbox.end()
  }
}

let runs = [ await run('jwe'), await run('session') ]
console.log(`\n${TOTAL} requests, ${CONCURRENCY} at a time, one shared session, against Sandbox (each request spawns a Lambda process)\n`)
console.log('| mode | errors | POSTs | final count | expected | requests/s |')
console.log('|---|---|---|---|---|---|')
for (let r of runs) console.log(`| ${r.mode} | ${r.errors} | ${r.posts} | ${r.finalCount} | ${r.expected} | ${r.perSecond.toFixed(1)} |`)

let table = runs.find(r => r.mode === 'table')
let failed = runs.some(r => r.errors > 0) || table?.finalCount !== table?.expected
console.log(failed ? '\nFAIL: errors, or a lost update in table mode' : '\nOK: no errors, and table mode counted every POST')
process.exitCode = failed ? 1 : 0
