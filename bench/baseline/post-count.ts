// Baseline for the benchmark: POST /count written the way Architect's docs show, with arc.http().
// Returning { session } makes arc.http() write the whole session back.
import arc from '@architect/functions'

export const handler = arc.http(async req => {
  let count = Number(req.session?.count ?? 0) + 1
  return { session: { ...req.session, count }, json: { count } }
})
