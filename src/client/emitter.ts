type Listener<T> = (value: T) => void

/** A minimal listener registry (no Node EventEmitter, so it runs in browsers). */
export class Listeners<T> {
  private readonly byKey = new Map<string, Set<Listener<T>>>()

  /** Add a listener; returns the function that removes it. */
  add (key: string, listener: Listener<T>): () => void {
    const set = this.byKey.get(key) ?? new Set()
    this.byKey.set(key, set.add(listener))
    return () => { set.delete(listener) }
  }

  emit (key: string, value: T): void {
    for (const listener of this.byKey.get(key) ?? []) listener(value)
  }
}
