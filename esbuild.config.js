// Extra esbuild options for @architect/plugin-typescript (it adds entry, bundle, platform and outfile).
const path = require('node:path')
const esbuild = require('esbuild')

// Cookie mode never touches DynamoDB, yet parsing the DynamoDB client that table mode needs (all
// of @architect/functions) was most of a cookie-mode cold start (bench/results.md). So
// @architect/functions is built into a file of its own, `architect-functions.cjs` next to each
// handler, which only table mode's store requires, on its first use. It shares no code with the
// handler's bundle, so nothing is loaded twice. The plugin emits one file per handler; this adds
// the second, and the deploy check (npm run verify:deploy) loads both.
/** @type {import('esbuild').Plugin} */
const architectFunctionsApart = {
  name: 'architect-functions-apart',
  setup (build) {
    let entry = null
    build.onResolve({ filter: /^@architect\/functions$/ }, args => {
      entry = require.resolve(args.path, { paths: [ args.resolveDir ] })
      return { path: './architect-functions.cjs', external: true }
    })
    build.onEnd(async result => {
      if (!entry || result.errors.length) return
      let outfile = path.join(path.dirname(String(build.initialOptions.outfile)), 'architect-functions.cjs')
      await esbuild.build({ ...build.initialOptions, entryPoints: [ entry ], outfile, plugins: [] })
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
  plugins: [ architectFunctionsApart ],
}
