// What `npm run test:mutation -- --unit` remembers between runs, so that CI re-runs a file's
// mutants only when something they depend on has changed (secrets.ts alone is 7 minutes).
// A file's mutants can only score differently if the file, a file it or its tests load, the tests
// themselves, the command that runs them or the installed packages change. The fingerprint is a
// hash of exactly those: esbuild follows the imports (the same bundler the handlers are built
// with), so a change anywhere in what the tests reach counts, and a change elsewhere does not.
// Not counted: files a test reads as data (secrets.test.ts scans the repository for committed
// secrets) and the Node.js version: a change to those alone re-runs nothing.
// The record is committed (test/mutation-record.json): a passing run on any machine writes it.
import { createHash } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { build } from 'esbuild'
import * as v from 'valibot'

const RECORD = 'test/mutation-record.json'

const Scored = v.object({ fingerprint: v.string(), score: v.number(), mutants: v.number(), date: v.string() })
export type Scored = v.InferOutput<typeof Scored>
const Runs = v.record(v.string(), Scored)

/** Every local file that `entries` load, and the entries themselves, relative to `root` */
async function filesLoadedBy (entries: string[], root: string): Promise<string[]> {
  let { metafile } = await build({
    entryPoints: entries, absWorkingDir: root, bundle: true, metafile: true, write: false, platform: 'node',
    // Packages count through package-lock.json; type-only imports are dropped, as at run time
    packages: 'external', format: 'esm', outdir: '.stryker-tmp/closure', logLevel: 'silent',
  })
  return Object.keys(metafile.inputs).sort()
}

/** The hash of what the mutants of `source` depend on, when `command` runs `tests` (paths relative to `root`) */
export async function fingerprintOf (source: string, tests: string[], command: string, root = process.cwd()): Promise<string> {
  let hash = createHash('sha256').update(command)
  for (let file of [ ...await filesLoadedBy([ source, ...tests ], root), 'test/helpers/stop-at-first-failure.ts', 'package-lock.json' ]) {
    hash.update(`\0${file}\0`).update(readFileSync(join(root, file)))
  }
  return hash.digest('hex')
}

/** The last passing run of each file; none if there is no record or it is not one (every file runs) */
export function readRecord (): Record<string, Scored> {
  try {
    let parsed = v.safeParse(Runs, JSON.parse(readFileSync(RECORD, 'utf8')))
    return parsed.success ? parsed.output : {}
  }
  catch {
    return {}
  }
}

export function writeRecord (record: Record<string, Scored>): void {
  writeFileSync(RECORD, `${JSON.stringify(record, null, 2)}\n`)
}
