// esbuild.config.js builds @architect/functions into `architect-functions.cjs` beside each handler.
// Sandbox serves a handler as soon as its file exists, so that file must be there first: a
// table-mode request in between answered 503 (the store could not require it).
import test from 'tape'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createRequire } from 'node:module'
import type { BuildOptions, Plugin } from 'esbuild'

const root = new URL('../..', import.meta.url).pathname
const require = createRequire(import.meta.url)
const esbuild = require('esbuild') as typeof import('esbuild')
const config = require('../../esbuild.config.js') as BuildOptions & { plugins: Plugin[] }

test('a handler\'s file is written only once architect-functions.cjs is beside it', async t => {
  let out = mkdtempSync(join(tmpdir(), 'build-order-'))
  let outfile = join(out, 'index.js')
  let seen: boolean[] = []
  // Runs as soon as esbuild has written the handler, before any plugin's later work
  let firstToSee: Plugin = { name: 'first-to-see', setup: build => build.onEnd(() => { seen.push(existsSync(outfile), existsSync(join(out, 'architect-functions.cjs'))) }) }
  try {
    // As @architect/plugin-typescript calls it (src/_compile.js), on the table-mode route's entry
    await esbuild.build({ ...config, plugins: [ firstToSee, ...config.plugins ], entryPoints: [ join(root, 'src/http/post-count/index.ts') ], bundle: true, platform: 'node', format: 'cjs', outfile, logLevel: 'silent' })
    t.deepEqual(seen, [ true, true ], 'when the handler exists, so does architect-functions.cjs')
  }
  finally {
    rmSync(out, { recursive: true, force: true })
  }
})
