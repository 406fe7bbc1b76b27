// Figures the README states, read from it, so tests can hold the app to them.
import { readFileSync } from 'node:fs'

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')

const row = /^\| Cookie size[^|]*\| (\d+) bytes[^|]*\|.*: (\d+) to (\d+) for 99% of sessions \|$/m.exec(readme)
if (!row) throw new Error('the README\'s mode table has no cookie sizes')

/** The cookie-mode cookie size in the README's mode table, for the screenshots' session (bytes) */
export const COOKIE_MODE_BYTES = Number(row[1])

/**
 * The table-mode size the README's rule gives for this `_idx=value` pair: its base size, plus 2 for
 * each `+` or `/` of the signature (sent percent-encoded as `%2B`, `%2F`). Its range holds only 99%
 * of sessions, so a test that checked the range would fail about once in a hundred runs.
 */
export function tableModeBytes (pair: string): number {
  return Number(row?.[2]) + 2 * (pair.match(/%2[BF]/gi)?.length ?? 0)
}
