// Extra esbuild options for @architect/plugin-typescript (it adds entry, bundle, platform and outfile).
module.exports = {
  target: 'node22',
  // Smaller bundles parse faster on a cold start; testing and staging keep source maps for stack traces
  minify: true,
  // @architect/functions references the AWS SDK, which Lambda's Node.js runtime provides.
  // Bundling it fails (architect/architect#1481) and would only add weight.
  external: [ '@aws-sdk/*', 'aws-sdk', 'aws-sdk/*', '@smithy/*' ],
}
