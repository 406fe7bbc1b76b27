// The one place the session code reads the time from, so tests can move time without waiting.
export const clock = {
  now: (): number => Date.now(),
}
