// The ways an attacker might bend a valid token, for the property tests (fast-check): truncated,
// extended, a character changed or inserted, segments swapped or spliced between two tokens, a
// segment re-spelled in padded base64 or with its unused bits set.
import fc from 'fast-check'

export const BASE64URL = [ ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_' ]
// Characters a mutation may bring in: base64url, the separators, and a few that must never pass
const CHARS = fc.constantFrom(...BASE64URL, '.', '=', '+', '/', ' ', '%', '\u00e9', '\u0000')

/** The ways an attacker might bend a valid cookie (`others` are more valid cookies to splice in) */
export function mutations (valid: string[], separator: string): fc.Arbitrary<string> {
  let cookie = fc.constantFrom(...valid)
  let at = (text: string) => fc.nat({ max: text.length })
  return fc.oneof(
    cookie.chain(c => at(c).map(n => c.slice(0, n))), // truncated anywhere
    fc.tuple(cookie, fc.string({ unit: CHARS, minLength: 1, maxLength: 30 })).map(([ c, tail ]) => c + tail), // extended
    cookie.chain(c => fc.tuple(at(c), CHARS).map(([ n, ch ]) => c.slice(0, n) + ch + c.slice(n + 1))), // a character changed
    cookie.chain(c => fc.tuple(at(c), CHARS).map(([ n, ch ]) => c.slice(0, n) + ch + c.slice(n))), // a character inserted
    fc.tuple(cookie, cookie, fc.nat()).map(([ a, b, n ]) => { // segments swapped between two cookies
      let parts = a.split(separator)
      let from = b.split(separator)
      let k = n % parts.length
      return parts.with(k, from[k] ?? '').join(separator)
    }),
    fc.tuple(cookie, cookie, fc.nat(), fc.nat()).map(([ a, b, i, j ]) => a.slice(0, i % a.length) + b.slice(j % b.length)), // spliced
    fc.tuple(cookie, fc.nat()).map(([ c, n ]) => { // a segment re-encoded as padded standard base64
      let parts = c.split(separator)
      let k = n % parts.length
      return parts.with(k, Buffer.from(parts[k], 'base64url').toString('base64')).join(separator)
    }),
    fc.tuple(cookie, fc.nat()).map(([ c, n ]) => { // a segment's last character's unused bits set
      let parts = c.split(separator)
      let k = n % parts.length
      let last = parts[k].at(-1)
      if (!last || !BASE64URL.includes(last)) return c
      let bumped = BASE64URL[(BASE64URL.indexOf(last) + 1) % 64]
      return parts.with(k, parts[k].slice(0, -1) + bumped).join(separator)
    }),
  )
}
