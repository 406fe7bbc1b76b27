// esbuild.config.js builds @architect/functions into `architect-functions.cjs` beside each handler,
// once for all the handlers the plugin compiles together.
// Sandbox serves a handler as soon as its file exists, so that file must be there first: a
// table-mode request in between answered 503 (the store could not require it). It also writes a
// package.json beside each handler, so that an app with `"type": "module"` loads it as CommonJS.
import test from 'tape'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
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

test('in an app whose package.json says "type": "module", the built handler still loads as CommonJS', async t => {
  let app = mkdtempSync(join(tmpdir(), 'esm-app-'))
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'esm-app', type: 'module' }))
  let build = (dir: string, plugins: Plugin[]) => esbuild.build({ ...config, plugins, entryPoints: [ join(root, 'src/http/get-index/index.ts') ], bundle: true, platform: 'node', format: 'cjs', outfile: join(app, dir, 'index.js'), logLevel: 'silent' })
  try {
    await build('with', config.plugins)
    mkdirSync(join(app, 'without'))
    await build('without', config.plugins.filter(plugin => plugin.name !== 'commonjs-here'))
    let handlerOf = (dir: string): unknown => (require(join(app, dir, 'index.js')) as { handler?: unknown }).handler
    t.equal(typeof handlerOf('with'), 'function', 'with esbuild.config.js: the handler is a function')
    t.throws(() => handlerOf('without'), /is not defined in ES module scope/, 'without the package.json beside it, Node.js loads it as an ES module, and it fails (what plugin-typescript alone gives)')
  }
  finally {
    rmSync(app, { recursive: true, force: true })
  }
})

test('architect-functions.cjs is built once for handlers built together, and again for other options', async t => {
  let out = mkdtempSync(join(tmpdir(), 'build-once-'))
  let build = (route: string, options: BuildOptions = {}) => esbuild.build({ ...config, ...options, entryPoints: [ join(root, `src/http/${route}/index.ts`) ], bundle: true, platform: 'node', format: 'cjs', outfile: join(out, route, 'index.js'), logLevel: 'silent' })
  let fileOf = (route: string) => readFileSync(join(out, route, 'architect-functions.cjs'), 'utf8')
  try {
    // As the plugin compiles a project: every handler at once
    await Promise.all([ build('post-count'), build('get-index') ])
    t.equal(fileOf('get-index'), fileOf('post-count'), 'two handlers built together get the same file')
    await build('post-cart', { minify: false })
    t.ok(fileOf('post-cart').length > fileOf('post-count').length, 'a handler built with other options (not minified) gets a build of its own, not the first one')
  }
  finally {
    rmSync(out, { recursive: true, force: true })
  }
})
