// Baseline for the benchmark: GET / written the way Architect's docs show, with arc.http().
// It reads req.session (which, in table mode, writes a row for a visitor without a cookie).
import arc from '@architect/functions'

export const handler = arc.http(async req => {
  let count = Number(req.session?.count ?? 0)
  return { json: { count } }
})
