import type { IncomingHttpHeaders } from 'node:http'

const KEY = /^[+/0-9A-Za-z]{22}==$/

/**
 * What ws would refuse in an upgrade request, with its plain-text 400: checked
 * first, so the refusal is the protocol's envelope. Undefined when ws accepts it.
 */
export function handshakeProblem (headers: IncomingHttpHeaders): string | undefined {
  if (headers.upgrade?.toLowerCase() !== 'websocket') return 'Invalid Upgrade header'
  const key = headers['sec-websocket-key']
  if (key === undefined || !KEY.test(key)) return 'Missing or invalid Sec-WebSocket-Key header'
  const version = headers['sec-websocket-version']
  if (version !== '8' && version !== '13') return 'Missing or invalid Sec-WebSocket-Version header (13)'
  return undefined
}
