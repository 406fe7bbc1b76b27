// node scripts/upstream-flaws.ts: shows, against the installed @architect/functions, how its cookie
// mode reader (node-webtokens) treats cookies this app refuses. Needs no Sandbox and no AWS.
import { randomBytes } from 'node:crypto'
import { createRequire } from 'node:module'
import arc from '@architect/functions'
import { readSettings } from '../src/shared/session/config.ts'
import { cookieStore } from '../src/shared/session/cookie-store.ts'

const SECRET = randomBytes(48).toString('base64')
process.env.ARC_APP_SECRET = SECRET
process.env.ARC_SESSION_TABLE_NAME = 'jwe'
const { version } = createRequire(import.meta.url)('@architect/functions/package.json') as { version: string }

const setup = readSettings({ ARC_APP_SECRET: SECRET })
if (!setup.ok) throw new Error(setup.problem)
const ours = cookieStore(setup.settings)

async function architectReads (cookie: string): Promise<string> {
  try {
    let session: Record<string, unknown> = await arc.http.session.read({ headers: { cookie: `_idx=${cookie}` } } as never)
    return JSON.stringify(session)
  }
  catch (err) {
    return `throws ${String(err)}`
  }
}

// A session as plain arc.http.session.write seals it
const setCookie: string = await arc.http.session.write({ count: 1 })
const cookie = setCookie.split(';')[0].replace('_idx=', '')
const cases: [string, string][] = [
  [ 'the cookie as written', cookie ],
  [ 'its 16-byte tag cut to 12 bytes (last 5 characters removed)', cookie.slice(0, -5) ],
  [ 'its tag cut to 4 bytes (last 16 characters removed)', cookie.slice(0, -16) ],
  [ 'a header that decodes to null', 'bnVsbA....' ],
]
console.log(`@architect/functions ${version}, cookie mode (ARC_SESSION_TABLE_NAME=jwe)\n`)
for (let [ label, value ] of cases) {
  let mine = await ours.load(value, Infinity)
  console.log(`${label}:\n  arc.http.session.read: ${await architectReads(value)}\n  this app:              ${mine ? 'opens it' : 'no session'}\n`)
}
