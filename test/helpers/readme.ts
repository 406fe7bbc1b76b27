// Figures the README states, read from it, so tests can hold the app to them.
import { readFileSync } from 'node:fs'

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')

const row = /^\| Cookie size[^|]*\| (\d+) bytes[^|]*\|.*: (\d+) to (\d+) for 99% of sessions \|$/m.exec(readme)
if (!row) throw new Error('the README\'s mode table has no cookie sizes')

/** The cookie-mode cookie size in the README's mode table, for the screenshots' session (bytes) */
export const COOKIE_MODE_BYTES = Number(row[1])

/** The range of table-mode cookie sizes it states */
export const TABLE_MODE_BYTES = [ Number(row[2]), Number(row[3]) ]
