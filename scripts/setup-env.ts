// npm run setup:env -- <staging|production> [--table | --cookie] [--rotate]
// Sets a strong ARC_APP_SECRET, the 7-day idle limit and the session mode for a deployed stage.
import { spawn } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { setupEnv, type ArcEnv } from './lib/setup-env.ts'

const prefsPath = new URL('../prefs.arc', import.meta.url)

// `npx arc env` also rewrites prefs.arc with every stage's variables, production's secret included,
// and would drop our comments and dev-only settings. Put the file back as it was after each call,
// so a secret never lands in a file git tracks.
const arcEnv: ArcEnv = args => new Promise((resolve, reject) => {
  let prefs = readFileSync(prefsPath, 'utf8')
  let child = spawn('npx', [ 'arc', 'env', ...args ], { stdio: [ 'pipe', 'pipe', 'pipe' ] })
  let output = ''
  child.stdout.on('data', chunk => { output += String(chunk) })
  child.stderr.on('data', chunk => { output += String(chunk) })
  // It may ask whether git should ignore prefs.arc; we keep prefs.arc tracked (it holds no real secret)
  child.stdin.end('n\n')
  child.on('close', code => {
    writeFileSync(prefsPath, prefs)
    // Its output lists the stage's values, secrets included: never echo it
    if (code === 0) resolve(output)
    else reject(new Error(`npx arc env failed (exit ${code}); check your AWS credentials (AWS_PROFILE) and try again`))
  })
})

try {
  process.exitCode = await setupEnv(process.argv.slice(2), arcEnv, line => console.log(line))
}
catch (err) {
  console.error(err instanceof Error ? err.message : String(err))
  process.exitCode = 1
}
