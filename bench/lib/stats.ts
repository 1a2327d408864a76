/** Small statistics helpers: medians and spreads of runs, percentiles of samples. */

export function median (values: readonly number[]): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** [min, max] of the runs. */
export function spread (values: readonly number[]): [number, number] {
  return [Math.min(...values), Math.max(...values)]
}

/** The p-th percentile (0..100) of a sample, nearest rank. */
export function percentile (sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[rank]
}

/** Latency samples in a growable typed array: no per-sample object. */
export class Samples {
  private data = new Float64Array(1 << 16)
  length = 0

  push (value: number): void {
    if (this.length === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2)
      bigger.set(this.data)
      this.data = bigger
    }
    this.data[this.length++] = value
  }

  /** p50 and p99 in milliseconds. */
  summary (): { p50: number, p99: number } {
    const sorted = this.data.slice(0, this.length).sort()
    return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) }
  }
}

export const fmt = (value: number, digits = 0): string =>
  Number.isFinite(value) ? value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '–'
