// Baseline for the benchmark: a sign-in written the way Architect's docs show, with arc.http():
// the user goes into the session. It checks nothing (plain Architect has no passkeys); it only
// gives the baseline a signed-in session holding what ours holds, to compare like with like.
import arc from '@architect/functions'

export const handler = arc.http(async req => {
  let { user } = req.body as { user: object }
  return { session: { ...req.session, user }, json: { signedIn: true } }
})
