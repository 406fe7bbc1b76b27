// Session data is input, like a form field: a cookie or a row may hold what an older version of
// the app wrote, or what plain arc.http() wrote. So it is checked against the app's schema on every
// read, and the handler only ever sees data of the schema's shape.
//
// Any schema library that implements Standard Schema works (valibot, zod, arktype...). Every field
// needs a default: the defaults are what the schema makes of `{}`, and a field that fails falls
// back to its own default. Only the failing fields are reset, so a signed-in user whose cart has
// an old shape keeps being signed in.
import type { StandardSchemaV1 } from '@standard-schema/spec'
import type { Bound } from './binding.ts'
import type { SessionRecord } from './store.ts'

/** A schema for the session's data: an object whose every field has a default */
export type DataSchema = StandardSchemaV1<unknown, Record<string, unknown>>
export type DataOf<S extends DataSchema> = StandardSchemaV1.InferOutput<S>

export interface Checked<Data> {
  data: Data
  /** Fields that failed the schema and were reset to their defaults (names only, never values) */
  reset: string[]
}

function validate<S extends DataSchema> (schema: S, value: unknown): StandardSchemaV1.Result<DataOf<S>> {
  let result = schema['~standard'].validate(value)
  // Data is read on every request; a schema that needs to wait for something does not belong here
  if (result instanceof Promise) throw new TypeError('The session schema must validate synchronously')
  // A fresh copy each time: a default array or object is shared by the schema, and a handler that
  // mutated it would change what the next visitor starts with
  return result.issues ? result : { value: copyOf(result.value) as DataOf<S> }
}

// Session data is JSON: copying its arrays and plain objects copies all of it. (A JSON round trip
// copies the same for five times the cost: 1.1 µs against 0.2 for a signed-in user's data.)
function copyOf (value: unknown): unknown {
  if (Array.isArray(value)) return value.map(copyOf)
  if (!isPlainObject(value) || Object.getPrototypeOf(value) !== Object.prototype) return value
  let copy: Record<string, unknown> = {}
  for (let [ key, field ] of Object.entries(value)) copy[key] = copyOf(field)
  return copy
}

/** The top-level field an issue is about, or null when it is about the whole object */
function fieldOf (issue: StandardSchemaV1.Issue): string | null {
  let first = issue.path?.[0]
  let key = typeof first === 'object' ? first.key : first
  return typeof key === 'string' ? key : null
}

/** Checks the schema once, when the route is defined: a schema without defaults is a bug to fix now */
export function defaultsOf<S extends DataSchema> (schema: S): DataOf<S> {
  let result = validate(schema, {})
  if (result.issues) {
    let fields = result.issues.map(fieldOf).join(', ')
    throw new TypeError(`Every field of the session schema needs a default (e.g. valibot's v.optional(schema, value)); these have none: ${fields}`)
  }
  return result.value
}

/** The app's data from stored fields: never throws, and always of the schema's shape */
export function checkData<S extends DataSchema> (schema: S, fields: Record<string, unknown>): Checked<DataOf<S>> {
  let first = validate(schema, fields)
  if (!first.issues) return { data: first.value, reset: [] }

  let failing = first.issues.map(fieldOf)
  let everything = () => ({ data: defaultsOf(schema), reset: [ '(all fields)' ] })
  if (!failing.every(field => field !== null)) return everything()
  let reset = [ ...new Set(failing) ]
  let kept = { ...fields }
  for (let field of reset) delete kept[field]
  let second = validate(schema, kept)
  // A schema whose fields depend on each other can fail again; then nothing stored is kept
  return second.issues ? everything() : { data: second.value, reset }
}

/** The wrapper's own fields of a stored session, checked like the app's */
export interface Meta {
  /** When the session was last written (ms since epoch): idle expiry counts from here */
  renewed: number
  /** When the session began or the visitor last signed in: the absolute lifetime counts from here */
  since: number
  /** The message to show once, if any */
  flash: string | null
  /** Written for a `__Host-idx` cookie */
  host: boolean
  /** The app and stage that wrote it, or null for a session from before the binding (plain arc.http()) */
  audience: string | null
  /** When the app asked the session to end (`Reply.endsIn`), or null */
  ends: number | null
  /** Who the session belongs to (`Reply.owner`), and its handle, or null */
  owner: string | null
  handle: string | null
  /** Not remembered: a browser-session cookie */
  forget: boolean
  /** Bound to a device (DBSC, binding.ts): its id and the public key its browser holds, or null */
  bound: Bound | null
}

const isKeyPart = (value: unknown): value is string => typeof value === 'string' && /^[\w-]{1,100}$/.test(value)

/** A stored `_bound`, if it has the one shape the wrapper writes */
function boundOf (value: unknown): Bound | null {
  if (typeof value !== 'object' || value === null) return null
  let { id, x, y } = value as Record<string, unknown>
  return isKeyPart(id) && isKeyPart(x) && isKeyPart(y) ? { id, x, y } : null
}

/** A stored record split into the wrapper's fields, checked, and the app's, still to be checked */
export function splitRecord (record: SessionRecord): { meta: Meta, fields: Record<string, unknown> } {
  let { _renewed, _since, _flash, _host, _aud, _ends, _owner, _handle, _forget, _bound, ...fields } = record
  let meta = {
    renewed: _renewed,
    // A session plain arc.http() wrote has no `_since`: count it as signed in at its last renewal,
    // so the absolute lifetime applies to it too (and the next write stores it)
    since: typeof _since === 'number' ? _since : _renewed,
    flash: typeof _flash === 'string' ? _flash : null,
    host: _host === true,
    audience: typeof _aud === 'string' ? _aud : null,
    ends: typeof _ends === 'number' ? _ends : null,
    owner: typeof _owner === 'string' ? _owner : null,
    handle: typeof _handle === 'string' ? _handle : null,
    forget: _forget === true,
    bound: boundOf(_bound),
  }
  return { meta, fields }
}

/** For JSON.parse (a reviver) or JSON.stringify (a replacer): keys that could reach an object's prototype never enter session data */
export function withoutPrototypeKeys (key: string, value: unknown): unknown {
  return key === '__proto__' || key === 'constructor' || key === 'prototype' ? undefined : value
}

// A reviver makes JSON.parse about five times slower, so only text that could hold such a key pays
// for it: text that names one, or has a \u escape (which could spell one)
const MAY_NAME_PROTOTYPE_KEYS = /"(__proto__|constructor|prototype)"|\\u/

/** The object a JSON text holds, without keys that could reach a prototype; null for anything else */
export function parseRecord (text: string): Record<string, unknown> | null {
  try {
    let value: unknown = MAY_NAME_PROTOTYPE_KEYS.test(text) ? JSON.parse(text, withoutPrototypeKeys) : JSON.parse(text)
    return isPlainObject(value) ? value : null
  }
  catch {
    return null
  }
}

export function isPlainObject (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
