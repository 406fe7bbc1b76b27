// A passkey challenge is answered once. The session holds it, and a refusal or a sign-in takes it
// out; but in cookie mode the session is a cookie, and whoever captured the cookie that the
// options answer set could send it again with an answer of their own. So each answer also spends
// its challenge on the server: a conditional write of a marker that DynamoDB refuses to write
// twice, kept as long as the challenge could be accepted. Table mode gets the same guarantee
// from its row already; the marker costs it one write, and keeps one rule for both modes.
import { createHash } from 'node:crypto'
import { putIfNew } from './accounts.ts'

// In the session table, which both modes have. No session id holds a `:`, and no cookie can name
// this row without the secret; a hash, so the row holds no challenge
const keyOf = (challenge: string) => `challenge:${createHash('sha256').update(challenge).digest('base64url')}`

/** Marks the challenge used; false if it was used already. `expires`: when it stops being accepted (ms since epoch). */
export function spend (challenge: string, expires: number): Promise<boolean> {
  return putIfNew('session', '_idx', { _idx: keyOf(challenge), _ttl: Math.ceil(expires / 1000) })
}
