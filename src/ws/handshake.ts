import type { Duplex } from 'node:stream'
import { rawErrorResponse } from '../http/client-error.js'

/**
 * ws's `wsClientError` listener: an upgrade ws refuses (bad `Upgrade`,
 * `Sec-WebSocket-Key`, `Sec-WebSocket-Version` or `Sec-WebSocket-Protocol`)
 * answered in the envelope instead of ws's plain text, ws's reason as `error`.
 * ws itself stays the one judge of a valid handshake. A wrong version is
 * RFC 6455's 426 naming the version spoken. The socket is destroyed once the
 * answer is flushed; its admission place comes back on its 'close'.
 */
export function refuseHandshake (error: Error, socket: Duplex): void {
  const answer = /Sec-WebSocket-Version/.test(error.message)
    ? rawErrorResponse('WS_VERSION_UNSUPPORTED', undefined, 'Sec-WebSocket-Version: 13\r\n')
    : rawErrorResponse('HANDSHAKE_INVALID', error.message)
  socket.once('finish', socket.destroy)
  socket.end(answer)
}
