// The fingerprint that lets CI skip a file's mutation run (scripts/lib/mutation-record.ts): if it
// missed a change, CI would pass a file on a score its tests no longer earn.
import test from 'tape'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fingerprintOf } from '../../scripts/lib/mutation-record.ts'

/** A project of its own: a source file, what it imports, a test of it, and a file neither loads */
function project (): string {
  let root = mkdtempSync(join(tmpdir(), 'mutation-record-'))
  mkdirSync(join(root, 'test/helpers'), { recursive: true })
  let files: Record<string, string> = {
    'source.ts': 'import { limit } from "./limit.ts"\nexport const under = (n: number) => n < limit\n',
    'limit.ts': 'export const limit = 3\n',
    'unrelated.ts': 'export const other = 1\n',
    'source.test.ts': 'import type { Thing } from "./types.ts"\nimport { under } from "./source.ts"\nimport { strict } from "node:assert"\nstrict.ok(under(2))\nexport type Used = Thing\n',
    'types.ts': 'export type Thing = number\n',
    'test/helpers/stop-at-first-failure.ts': '',
    'package-lock.json': '{}\n',
  }
  for (let [ file, text ] of Object.entries(files)) writeFileSync(join(root, file), text)
  return root
}

test('the fingerprint of a file changes with everything its mutants depend on, and only with that', async t => {
  let root = project()
  t.teardown(() => rmSync(root, { recursive: true, force: true }))
  let fingerprint = () => fingerprintOf('source.ts', [ 'source.test.ts' ], 'tape source.test.ts', root)
  let before = await fingerprint()
  t.equal(await fingerprint(), before, 'the same files give the same fingerprint')

  writeFileSync(join(root, 'unrelated.ts'), 'export const other = 2\n')
  writeFileSync(join(root, 'types.ts'), 'export type Thing = string\n')
  t.equal(await fingerprint(), before, 'a file nothing loads, or loads only for its types, does not count')

  for (let [ file, text ] of [
    [ 'source.ts', 'import { limit } from "./limit.ts"\nexport const under = (n: number) => n <= limit\n' ],
    [ 'limit.ts', 'export const limit = 4\n' ],
    [ 'source.test.ts', 'import { under } from "./source.ts"\nimport { strict } from "node:assert"\nstrict.ok(under(1))\n' ],
    [ 'test/helpers/stop-at-first-failure.ts', '// changed\n' ],
    [ 'package-lock.json', '{ "lockfileVersion": 3 }\n' ],
  ]) {
    let last = await fingerprint()
    writeFileSync(join(root, file), text)
    t.notEqual(await fingerprint(), last, `a change to ${file} counts`)
  }
  t.notEqual(await fingerprintOf('source.ts', [ 'source.test.ts' ], 'FUZZ_RUNS=10 tape source.test.ts', root), await fingerprint(), 'another command counts')
})
