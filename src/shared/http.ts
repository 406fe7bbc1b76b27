// Small, dependency-free helpers for this app's forms (API Gateway HTTP API, payload v2 events).
// The responses and the cross-site check live with the session wrapper, which needs them too.
import type { APIGatewayProxyEventV2 as Event } from 'aws-lambda'

import { isPlainObject } from './session/data.ts'

export { html, json, redirect, wantsJson } from './session/http.ts'

// Our forms send a few short fields; anything bigger is not from them
export const MAX_BODY_BYTES = 8 * 1024

export type Fields = Record<string, unknown>
export type BodyResult = { ok: true, fields: Fields } | { ok: false, error: string }

/** Parses a JSON or urlencoded form body. Never throws: bad input comes back as an error message. */
export function readFields (event: Event, maxBytes = MAX_BODY_BYTES): BodyResult {
  let raw = event.body ?? ''
  let bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw)
  if (bytes.length > maxBytes) return { ok: false, error: `The request body is over ${maxBytes} bytes` }
  let text = bytes.toString('utf8')
  let type = (event.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase()

  if (type === 'application/json') {
    try {
      let parsed: unknown = JSON.parse(text || '{}')
      return isPlainObject(parsed) ? { ok: true, fields: parsed } : { ok: false, error: 'The JSON body must be an object' }
    }
    catch {
      return { ok: false, error: 'The request body is not valid JSON' }
    }
  }
  if (type === 'application/x-www-form-urlencoded' || (type === '' && text === '')) {
    let fields: Fields = {}
    for (let [ key, value ] of new URLSearchParams(text)) {
      // A field given twice is ambiguous; refuse rather than guess which one was meant.
      // (hasOwn, not `in`: `constructor` or `toString` is a field name here, not a built-in.)
      if (Object.hasOwn(fields, key)) return { ok: false, error: `The field "${key}" is given more than once` }
      // defineProperty, not `=`: assigning `__proto__` would change the object instead of adding a field
      Object.defineProperty(fields, key, { value, enumerable: true, writable: true, configurable: true })
    }
    return { ok: true, fields }
  }
  return { ok: false, error: 'Send the body as application/json or application/x-www-form-urlencoded' }
}

// Control and format characters garble logs and pages. Default-ignorable ones (U+034F, U+3164,
// U+FE0F, ...) draw nothing, so "admin" plus one of them looks like "admin" and is not. A lone
// surrogate (half of an emoji, which JSON can carry) is no character at all, and DynamoDB
// refuses to store it.
const HIDDEN = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}]/u
// At least one character that draws something: a letter, digit, punctuation or symbol, other than
// the blank Braille pattern U+2800, which is a symbol that draws nothing
const VISIBLE = /(?!\u2800)[\p{L}\p{N}\p{P}\p{S}]/u

/** A form or JSON field as 1 to `max` characters of printable text, trimmed; null if it is not one */
export function textField (fields: Fields, name: string, max: number): string | null {
  let value = Object.hasOwn(fields, name) ? fields[name] : undefined
  if (typeof value !== 'string') return null
  let text = value.trim()
  let length = [ ...text ].length // characters, not UTF-16 units
  return length >= 1 && length <= max && !HIDDEN.test(text) && VISIBLE.test(text) ? text : null
}

/** A time for a page: `2026-11-30 10:04 UTC` (ms since epoch) */
export function when (ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 16) + ' UTC'
}

export function escapeHtml (text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll('\'', '&#39;')
}
