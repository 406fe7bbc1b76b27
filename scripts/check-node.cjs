// Runs before `npm start` and `npm test` (npm's pre-scripts), on whatever Node.js the machine has:
// plain CommonJS, so that an old Node.js gets this one line instead of a raw syntax error.
const major = Number(process.versions.node.split('.')[0])
if (major < 22) {
  const script = process.env.npm_lifecycle_event?.replace(/^pre/, '') ?? 'test'
  const command = script === 'start' || script === 'test' ? `npm ${script}` : `npm run ${script}`
  console.error(`This app needs Node.js 22 or later (Architect 12 does); this is ${process.version}. Install it (nvm install 22), or run it without installing: npx -y -p node@22 -- ${command}`)
  process.exit(1)
}
