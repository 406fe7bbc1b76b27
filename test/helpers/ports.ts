// Free ports for this process's Sandbox, chosen once per test run, so `npm test` never collides
// with a running `npm start` or with another test run on the same machine. Sandbox reads the
// ARC_*_PORT variables; ARC_SANDBOX tells @architect/functions in this process where they are.
import { execFileSync } from 'node:child_process'
import { createRequire } from 'node:module'

// tape loads test files with require(), which allows no top-level await, so a short child process
// asks the system for four free ports at once (all four listening together, so they differ)
const FIND_PORTS = `
const { createServer } = require('node:net')
const one = () => new Promise(resolve => {
  const server = createServer().listen(0, '127.0.0.1', () => {
    const { port } = server.address()
    resolve({ port, server })
  })
})
Promise.all([ one(), one(), one(), one() ]).then(found => {
  console.log(found.map(f => f.port).join(' '))
  for (const f of found) f.server.close()
})
`
const [ http, tables, _arc, events ] = execFileSync(process.execPath, [ '-e', FIND_PORTS ]).toString().trim().split(' ').map(Number)

export const ports = { http, tables, _arc, events }
process.env.ARC_HTTP_PORT = String(ports.http)
process.env.ARC_TABLES_PORT = String(ports.tables)
process.env.ARC_INTERNAL_PORT = String(ports._arc)
process.env.ARC_EVENTS_PORT = String(ports.events)

const { version } = createRequire(import.meta.url)('@architect/sandbox/package.json') as { version: string }

/** Sandbox's ARC_SANDBOX variable, which tells @architect/functions where Sandbox's services are */
export function sandboxVariable (tables = ports.tables): string {
  return JSON.stringify({ ports: { ...ports, tables }, version })
}
process.env.ARC_SANDBOX = sandboxVariable()

export const base = `http://localhost:${ports.http}`
