// The wrapper drops into another Architect app: this copies exactly the files the README's "Use it
// in your app" lists into a new, minimal app in a temporary folder (one route, the session table,
// the TypeScript plugin), starts Sandbox there, and checks a session in the mode under test.
import test from 'tape'
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sandbox from '@architect/sandbox'
import { root, mode, base } from '../helpers/sandbox.ts'
import { randomSecret } from '../helpers/secrets.ts'

// The README's list: the wrapper, and the esbuild settings the TypeScript plugin needs
const COPIED = [ 'src/shared/session.ts', 'src/shared/session', 'esbuild.config.js' ]

const APP_ARC = `@app
drop-in

@http
get /

@tables
session
  _idx *String
  _ttl TTL

@aws
runtime typescript
timeout 10

@plugins
architect/plugin-typescript

@typescript
base-runtime nodejs22.x
esbuild-config esbuild.config.js
`

const PREFS_ARC = `@env
testing
  ARC_APP_SECRET ${randomSecret()}
  ARC_SESSION_TTL 604800
`

const HANDLER = `import * as v from 'valibot'
import { withSession } from '../../shared/session.ts'
import { json } from '../../shared/session/http.ts'

const Visits = v.object({ visits: v.optional(v.number(), 0) })

export const handler = withSession(Visits, async (event, session) => {
  let visits = session.data.visits + 1
  return { ...json(200, { visits, mode: session.mode }), session: { visits } }
})
`

let app = ''

test('a new Architect app with only the listed files copied in', async t => {
  app = mkdtempSync(join(tmpdir(), 'drop-in-'))
  for (let path of COPIED) cpSync(join(root, path), join(app, path), { recursive: true })
  writeFileSync(join(app, 'app.arc'), APP_ARC)
  writeFileSync(join(app, 'prefs.arc'), PREFS_ARC)
  mkdirSync(join(app, 'src/http/get-index'), { recursive: true })
  writeFileSync(join(app, 'src/http/get-index/index.ts'), HANDLER)
  // Its dependencies (the README's list) are this project's own, installed once
  symlinkSync(join(root, 'node_modules'), join(app, 'node_modules'))
  t.ok(await sandbox.start({ cwd: app, quiet: true }), `Sandbox started in ${app}`)
})

test(`a session in ${mode} mode, in that app`, async t => {
  let first = await fetch(`${base}/`)
  let cookie = first.headers.getSetCookie()[0]?.split(';')[0] ?? ''
  t.deepEqual(await first.json(), { visits: 1, mode }, 'the first visit')
  let second = await fetch(`${base}/`, { headers: { cookie } })
  t.deepEqual(await second.json(), { visits: 2, mode }, 'the second visit reads the session the first one wrote')
})

test('end Sandbox and remove the app', async t => {
  t.ok(await sandbox.end(), 'Sandbox ended')
  rmSync(app, { recursive: true, force: true })
})
