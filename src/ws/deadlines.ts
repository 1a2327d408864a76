/** Something that is due at a time: the heap keeps its place in `slot` (-1 when not scheduled). */
export interface Timed {
  dueAt: number
  slot: number
  /** Called once when `dueAt` has come; it may schedule itself again. */
  due: () => void
}

// setTimeout's longest delay; a later deadline is simply re-armed when this one fires.
const MAX_DELAY_MS = 2 ** 31 - 1

/**
 * Every deadline of an instance on ONE timer: a binary min-heap of the items
 * themselves (one array slot per item, no entry object), armed for the
 * earliest. Scheduling, rescheduling and removal are O(log n).
 */
export class Deadlines<T extends Timed> {
  private readonly heap: T[] = []
  private timer: NodeJS.Timeout | undefined
  private armedFor = Infinity

  get size (): number { return this.heap.length }

  /** Schedule `item` at `dueAt`, moving it if it was scheduled already. */
  schedule (item: T, dueAt: number): void {
    this.remove(item)
    item.dueAt = dueAt
    item.slot = this.heap.length
    this.heap.push(item)
    this.up(item.slot)
    this.arm()
  }

  remove (item: T): void {
    const at = item.slot
    if (at < 0) return
    item.slot = -1
    const last = this.heap.pop() as T
    if (at === this.heap.length) return
    this.place(last, at)
    this.down(at)
    this.up(last.slot)
  }

  /** Stop the timer (instance closing); items stay scheduled but nothing fires. */
  stop (): void {
    clearTimeout(this.timer)
    this.timer = undefined
    this.armedFor = Infinity
  }

  private arm (): void {
    const first = this.heap[0]
    if (first === undefined || first.dueAt >= this.armedFor) return
    clearTimeout(this.timer)
    this.armedFor = first.dueAt
    this.timer = setTimeout(() => { this.fire() }, Math.min(MAX_DELAY_MS, Math.max(0, first.dueAt - Date.now()))).unref()
  }

  private fire (): void {
    this.timer = undefined
    this.armedFor = Infinity
    const now = Date.now()
    for (let first = this.heap[0]; first !== undefined && first.dueAt <= now; first = this.heap[0]) {
      this.remove(first)
      first.due()
    }
    this.arm()
  }

  private place (item: T, at: number): void {
    this.heap[at] = item
    item.slot = at
  }

  private up (at: number): void {
    const item = this.heap[at]
    while (at > 0) {
      const parent = (at - 1) >> 1
      if (this.heap[parent].dueAt <= item.dueAt) break
      this.place(this.heap[parent], at)
      at = parent
    }
    this.place(item, at)
  }

  private down (at: number): void {
    const item = this.heap[at]
    const n = this.heap.length
    for (;;) {
      let child = 2 * at + 1
      if (child >= n) break
      if (child + 1 < n && this.heap[child + 1].dueAt < this.heap[child].dueAt) child++
      if (this.heap[child].dueAt >= item.dueAt) break
      this.place(this.heap[child], at)
      at = child
    }
    this.place(item, at)
  }
}
