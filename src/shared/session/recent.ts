// A map that keeps at most `limit` entries, forgetting the least recently used: what a warm
// Lambda remembers must not grow with every visitor it has ever seen. (A Map iterates in the
// order keys were set, so moving a key to the end on each use keeps the oldest first.)
export function recent<K, V> (limit: number) {
  let entries = new Map<K, V>()
  return {
    get (key: K): V | undefined {
      let value = entries.get(key)
      if (value !== undefined) {
        entries.delete(key)
        entries.set(key, value)
      }
      return value
    },
    /** The value without counting this as a use: for entries that are never worth keeping longer for being used */
    peek (key: K): V | undefined {
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
