let lastMs = 0
let lastIso = ''

/** Now in ISO 8601, as every server message's `timestamp`: formatted once per millisecond, not once per message. */
export function isoNow (): string {
  const now = Date.now()
  if (now !== lastMs) {
    lastMs = now
    lastIso = new Date(now).toISOString()
  }
  return lastIso
}

let lastAtMs = Number.NaN
let lastAtIso = ''

/** A timestamp in ISO 8601, for stamps that follow the clock (a ticket's expiry): formatted once per millisecond too. */
export function isoAt (ms: number): string {
  if (ms !== lastAtMs) {
    lastAtMs = ms
    lastAtIso = new Date(ms).toISOString()
  }
  return lastAtIso
}
