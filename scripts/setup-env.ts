// npm run setup:env -- <staging|production> [--table | --cookie] [--rotate | --replace | --end-rotation] [--origin=<url>]
// Sets a strong ARC_APP_SECRET, the 7-day idle limit and the session mode for a deployed stage.
// --rotate keeps the current secret as ARC_APP_SECRET_PREVIOUS; --replace (after a leak) keeps no
// old secret at all; --end-rotation removes ARC_APP_SECRET_PREVIOUS once a rotation is over.
// --origin=https://… sets PASSKEY_ORIGIN, the site passkeys are made for.
import { setupEnv } from './lib/setup-env.ts'
import { stageVariables } from './lib/stage-variables.ts'

const root = new URL('..', import.meta.url).pathname

process.exitCode = await setupEnv(process.argv.slice(2), () => stageVariables(root), line => console.log(line))
