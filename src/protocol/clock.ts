/** An epoch-ms → ISO 8601 formatter that formats once per millisecond: stamps of the same ms reuse the text. */
function isoCached (): (ms: number) => string {
  let lastMs = Number.NaN
  let lastIso = ''
  return (ms) => {
    if (ms !== lastMs) {
      lastMs = ms
      lastIso = new Date(ms).toISOString()
    }
    return lastIso
  }
}

// Apart from isoAt's: the two follow different clocks (now, and a ticket's expiry), so one cache would thrash.
const nowIso = isoCached()

/** Now in ISO 8601, as every server message's `timestamp`: formatted once per millisecond, not once per message. */
export function isoNow (): string {
  return nowIso(Date.now())
}

/** A timestamp in ISO 8601, for stamps that follow the clock (a ticket's expiry): formatted once per millisecond too. */
export const isoAt = isoCached()
