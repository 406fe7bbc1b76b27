// Extra esbuild options for @architect/plugin-typescript (it adds entry, bundle, platform and outfile).
const crypto = require('node:crypto')
const fs = require('node:fs')
const path = require('node:path')
const esbuild = require('esbuild')

// Cookie mode never touches DynamoDB, yet parsing the DynamoDB client that table mode needs (all
// of @architect/functions) was most of a cookie-mode cold start (bench/results.md). So
// @architect/functions is built into a file of its own, `architect-functions.cjs` next to each
// handler, which only table mode's store requires, on its first use. It shares no code with the
// handler's bundle, so nothing is loaded twice. The plugin emits one file per handler; this adds
// the second, and the deploy check (npm run verify:deploy) loads both.
// It is built before the handler, never after: Sandbox serves a handler as soon as its file exists,
// and a table-mode request in between would find no `architect-functions.cjs` (a 503).
/** @type {import('esbuild').Plugin} */
const architectFunctionsApart = {
  name: 'architect-functions-apart',
  setup (build) {
    let dir = path.dirname(String(build.initialOptions.outfile))
    build.onStart(async () => {
      // The plugin passes one entry point, the handler's index.ts
      let handler = String(Object.values(build.initialOptions.entryPoints ?? {})[0])
      let entry
      try {
        entry = require.resolve('@architect/functions', { paths: [ path.dirname(handler) ] })
      }
      catch {
        return // an app without @architect/functions has nothing to build apart
      }
      let files = await builtOnce(entry, build.initialOptions, dir)
      fs.mkdirSync(dir, { recursive: true })
      for (let file of files) {
        fs.writeFileSync(path.join(dir, path.basename(file.path)), file.contents)
      }
    })
    build.onResolve({ filter: /^@architect\/functions$/ }, () => ({ path: './architect-functions.cjs', external: true }))
  },
}

// Every handler's `architect-functions.cjs` is the same file, and the plugin compiles all the
// handlers at once: 22 builds of it took 0.9 to 1.5 s of a 3 s compile here, one takes 50 ms. So
// it is built once for each set of options, version of @architect/functions and depth of folder
// (its source map's paths are relative to it), and written beside each handler.
/** @type {Map<string, Promise<import('esbuild').OutputFile[]>>} */
const builds = new Map()
/**
 * @param {string} entry @architect/functions' main file
 * @param {import('esbuild').BuildOptions} options the handler's build options
 * @param {string} dir the handler's folder
 * @returns {Promise<import('esbuild').OutputFile[]>}
 */
function builtOnce (entry, options, dir) {
  // Its package.json says which version is installed, so a reinstall while Sandbox runs is seen
  let release = crypto.createHash('sha256').update(fs.readFileSync(path.join(path.dirname(entry), '..', 'package.json'))).digest('hex')
  let key = JSON.stringify({ ...options, entry, release, outfile: undefined, entryPoints: undefined, plugins: undefined, parent: path.dirname(dir) })
  let built = builds.get(key)
  if (!built) {
    built = esbuild.build({ ...options, entryPoints: [ entry ], outfile: path.join(dir, 'architect-functions.cjs'), plugins: [], write: false })
      .then(result => result.outputFiles)
    // A failed build is not kept: the next compile tries again
    built.catch(() => builds.delete(key))
    builds.set(key, built)
  }
  return built
}

// The plugin always emits CommonJS, as `index.js`, which Node.js loads as an ES module in an app
// whose package.json says `"type": "module"`: every route then fails with "handler is not a
// function" (docs/upstream.md). A package.json beside each handler says what its files are,
// written first, for the same reason as architect-functions.cjs above.
/** @type {import('esbuild').Plugin} */
const commonJsHere = {
  name: 'commonjs-here',
  setup (build) {
    build.onStart(() => {
      let dir = path.dirname(String(build.initialOptions.outfile))
      fs.mkdirSync(dir, { recursive: true })
      fs.writeFileSync(path.join(dir, 'package.json'), '{ "type": "commonjs" }\n')
    })
  },
}

module.exports = {
  target: 'node22',
  // Smaller bundles parse faster on a cold start; testing and staging keep source maps for stack traces
  minify: true,
  // @architect/functions references the AWS SDK, which Lambda's Node.js runtime provides.
  // Bundling it fails (architect/architect#1481) and would only add weight.
  external: [ '@aws-sdk/*', 'aws-sdk', 'aws-sdk/*', '@smithy/*' ],
  plugins: [ commonJsHere, architectFunctionsApart ],
}
