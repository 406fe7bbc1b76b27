// Runs before `npm start` and `npm test` (npm's pre-scripts), on whatever Node.js the machine has:
// plain CommonJS, so that an old Node.js gets this one line instead of a raw syntax error.
const major = Number(process.versions.node.split('.')[0])
if (major < 22) {
  const script = process.env.npm_lifecycle_event?.replace(/^pre/, '') ?? 'test'
  const command = script === 'start' || script === 'test' ? `npm ${script}` : `npm run ${script}`
  console.error(`This app needs Node.js 22 or later (Architect 12 does); this is ${process.version}. Install it (nvm install 22), or run it without installing: npx -y -p node@22 -- ${command}`)
  process.exit(1)
}

// Which mode Sandbox is about to run in, since nothing else says so before the page is open
const event = process.env.npm_lifecycle_event
if (event === 'prestart' || event === 'prestart:table') {
  const table = event === 'prestart:table' || process.env.ARC_SESSION_TABLE_NAME === 'session'
  console.log(table
    ? 'Starting in table mode (ARC_SESSION_TABLE_NAME=session): sessions are rows in Sandbox\'s in-memory DynamoDB'
    : 'Starting in cookie mode (ARC_SESSION_TABLE_NAME=jwe): sessions live in the cookie; npm run start:table for table mode')
}
