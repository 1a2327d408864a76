import { STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'
import { ERRORS, type HttpErrorCode } from '../protocol/errors.js'

const BY_PARSER_CODE: Record<string, HttpErrorCode> = { HPE_HEADER_OVERFLOW: 'HEADERS_TOO_LARGE', ERR_HTTP_REQUEST_TIMEOUT: 'REQUEST_TIMEOUT' }

/** The envelope as a complete HTTP/1.1 answer, for a socket no route will ever answer; `extra` are more header lines. */
export function rawErrorResponse (code: HttpErrorCode, message: string = ERRORS[code].text, extra = ''): string {
  const { status } = ERRORS[code]
  const body = JSON.stringify({ success: false, error: message, code })
  return `HTTP/1.1 ${status} ${STATUS_CODES[status] as string}\r\nContent-Type: application/json; charset=utf-8\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\n${extra}Connection: close\r\n\r\n${body}`
}

/**
 * Fastify's `clientErrorHandler`: a request the HTTP parser refused (431 headers
 * too large, 408 too slow, 400 malformed) answered in the envelope, then closed.
 */
export function clientErrorHandler (err: NodeJS.ErrnoException, socket: Socket): void {
  // Nobody left to answer.
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy()
    return
  }
  socket.end(rawErrorResponse(BY_PARSER_CODE[String(err.code)] ?? 'BAD_REQUEST'))
}
