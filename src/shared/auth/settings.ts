// The app's own number settings (limits.ts, activity.ts): read once at cold start. A bad value
// stops the function there, with the reason in its log, as a bad PASSKEY_ORIGIN does.

/** `env[name]` as a whole number from 1 to 999999999, or `fallback` when it is unset or empty */
export function wholeNumber (env: Record<string, string | undefined>, name: string, fallback: number): number {
  let value = env[name]
  if (value === undefined || value === '') return fallback
  if (!/^[1-9]\d{0,8}$/.test(value)) throw new Error(`${name} must be a whole number from 1 to 999999999; it is ${JSON.stringify(value.slice(0, 20))}`)
  return Number(value)
}
