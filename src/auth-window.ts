/**
 * Authentications of the last minute on this instance, by result and code:
 * what the operator console shows live. One bucket per second, so the memory
 * stays bounded (60 small maps) however many sockets authenticate.
 */
export interface AuthWindowSnapshot {
  windowSeconds: number
  success: number
  failure: number
  /** Attempts per answer code (`OK` for a success). */
  byCode: Record<string, number>
}

export function createAuthWindow ({ windowSeconds = 60, now = Date.now }: { windowSeconds?: number, now?: () => number } = {}) {
  const buckets = new Map<number, Map<string, number>>()
  const second = (): number => Math.floor(now() / 1000)
  const prune = (current: number): void => {
    for (const at of buckets.keys()) if (at <= current - windowSeconds) buckets.delete(at)
  }
  return {
    record (code: string): void {
      const at = second()
      let bucket = buckets.get(at)
      if (bucket === undefined) {
        prune(at)
        bucket = new Map()
        buckets.set(at, bucket)
      }
      bucket.set(code, (bucket.get(code) ?? 0) + 1)
    },
    snapshot (): AuthWindowSnapshot {
      prune(second())
      const byCode: Record<string, number> = {}
      for (const bucket of buckets.values()) {
        for (const [code, n] of bucket) byCode[code] = (byCode[code] ?? 0) + n
      }
      const success = byCode.OK ?? 0
      const total = Object.values(byCode).reduce((sum, n) => sum + n, 0)
      return { windowSeconds, success, failure: total - success, byCode }
    }
  }
}

export type AuthWindow = ReturnType<typeof createAuthWindow>
