import { connect } from 'node:net'

/** An answer is reused this long: /health may be polled often, the upstream is dialled at most this rarely. */
export const PROBE_CACHE_MS = 5000
const PROBE_TIMEOUT_MS = 1000

/**
 * Whether the upstream accepts TCP connections: a cheap, cached probe for
 * /health (informational: gateway mode's sessions report their own failures).
 */
export function createUpstreamProbe (url: string, now = Date.now) {
  const { hostname, port, protocol } = new URL(url)
  // WHATWG URLs keep IPv6 hosts in brackets; net.connect wants them bare.
  const host = hostname.replace(/^\[(.*)\]$/, '$1')
  const target = { host, port: Number(port === '' ? (protocol === 'wss:' ? 443 : 80) : port) }
  let last: { at: number, up: boolean } | undefined
  let pending: Promise<boolean> | undefined

  const dial = async (): Promise<boolean> => await new Promise(resolve => {
    const socket = connect(target)
    const done = (up: boolean): void => {
      socket.destroy()
      resolve(up)
    }
    // A host that drops the SYN would otherwise hold /health for the kernel's retries (minutes).
    /* c8 ignore next -- needs a blackholed address; the tests reach loopback only */
    socket.setTimeout(PROBE_TIMEOUT_MS, () => { done(false) })
    socket.once('connect', () => { done(true) })
    socket.once('error', () => { done(false) })
  })

  return async (): Promise<boolean> => {
    if (last !== undefined && now() - last.at < PROBE_CACHE_MS) return last.up
    pending ??= dial().then(up => {
      last = { at: now(), up }
      pending = undefined
      return up
    })
    return await pending
  }
}
