// node scripts/upstream-flaws.ts: shows, against the installed @architect/functions, how its cookie
// mode reader (node-webtokens) treats cookies this app refuses, which of two session cookies it
// reads, which mode it picks when its two mode variables disagree, and the role
// @architect/package grants. Needs no Sandbox and no AWS.
import { randomBytes } from 'node:crypto'
import { createRequire } from 'node:module'
import arc from '@architect/functions'
import inventory from '@architect/inventory'
import pkg from '@architect/package'
import { readSettings } from '../src/shared/session/config.ts'
import { cookieStore } from '../src/shared/session/cookie-store.ts'

const SECRET = randomBytes(48).toString('base64')
const root = new URL('..', import.meta.url).pathname
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

// Two session cookies of one name, as a browser sends a sibling host's Domain cookie beside the
// visitor's own (the older cookie first): plain Architect reads the last, the planted one
let visitor = (await arc.http.session.write({ who: 'the visitor' })).split(';')[0]
let planted = (await arc.http.session.write({ who: 'the planter' })).split(';')[0]
let both = await arc.http.session.read({ headers: { cookie: `${visitor}; ${planted}` } } as never) as { who?: string }
console.log(`Two _idx cookies, the visitor's and then one a sibling host planted:\n  arc.http.session.read: ${both.who ?? 'no session'}'s session\n  this app:              neither, and it clears the name here and at every parent domain\n`)

// The two mode variables at odds: which mode plain Architect picks, without a word
process.env.ARC_SESSION_TABLE_NAME = 'session'
process.env.SESSION_TABLE_NAME = 'jwe'
let odds: string = await arc.http.session.write({ count: 1 })
console.log(`ARC_SESSION_TABLE_NAME=session with SESSION_TABLE_NAME=jwe left over from the guide:\n  arc.http.session.write: ${odds.split('.').length === 5 ? 'a JWE, so cookie mode' : 'a signed id'}\n  this app:               ${readSettings({ ARC_APP_SECRET: SECRET, ARC_SESSION_TABLE_NAME: 'session', SESSION_TABLE_NAME: 'jwe' }).ok ? 'runs' : 'refuses to start, naming both'}\n`)

// The role @architect/package gives every Lambda on the session table, before this app's plugin
let template = pkg(await inventory({ cwd: root, deployStage: 'production' })) as { Resources: { Role: { Properties: { Policies: { PolicyName: string, PolicyDocument: { Statement: { Action: unknown }[] } }[] } } } }
let dynamo = template.Resources.Role.Properties.Policies.find(p => p.PolicyName === 'ArcDynamoPolicy')
console.log(`@architect/package's role on the session table: ${JSON.stringify(dynamo?.PolicyDocument.Statement[0].Action)} (this app's deploy plugin leaves GetItem, PutItem, DeleteItem)`)
