// A map that keeps at most `limit` entries, forgetting the one set longest ago: what a warm Lambda
// remembers must not grow with every visitor it has ever seen. What it keeps is worth keeping
// while it is fresh, however often it is read, so a read changes nothing: moving an entry on every
// read cost a signed-in GET / 2% (docs/performance.md). (A Map iterates in the order keys were
// set, so setting a key again, after deleting it, moves it to the end.)
export function recent<K, V> (limit: number) {
  let entries = new Map<K, V>()
  return {
    get (key: K): V | undefined {
      return entries.get(key)
    },
    set (key: K, value: V): void {
      entries.delete(key)
      entries.set(key, value)
      if (entries.size > limit) entries.delete(entries.keys().next().value as K)
    },
    delete (key: K): void {
      entries.delete(key)
    },
    get size (): number {
      return entries.size
    },
  }
}
