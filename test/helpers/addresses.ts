// Each simulated visitor comes from an address of its own, as real ones do: the app limits sign-ups
// and failed passkey answers per address (src/shared/auth/limits.ts), so one test's visitors must
// not use up another's. Sandbox takes a request's address from X-Forwarded-For (docs/upstream.md);
// a handler called directly takes the event's `sourceIp`.
let given = 0

/** An address no other visitor of this process has, in 198.18.0.0/15 (set aside for tests, RFC 2544) */
export function nextAddress (): string {
  given++
  return `198.${18 + (given >> 16 & 1)}.${given >> 8 & 255}.${given & 255}`
}
