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
