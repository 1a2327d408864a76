import { connect } from 'node:net'

export interface RawAnswer { status: number, head: string, body: string }

/** The headers of an upgrade request as a browser sends them, for raw requests. */
export const UPGRADE_LINES = [
  'Connection: Upgrade', 'Upgrade: websocket', 'Sec-WebSocket-Version: 13', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=='
]

/**
 * `text` written as is on a fresh TCP connection; resolves with what came back once the
 * server closed the connection, rejects when it still holds it after `ms` (a socket held).
 */
export async function rawRequest (port: number, text: string, ms = 5000): Promise<RawAnswer> {
  return await new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    const chunks: Buffer[] = []
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error(`connection still open after ${ms} ms: ${Buffer.concat(chunks).toString().slice(0, 200)}`))
    }, ms)
    socket.on('data', chunk => { chunks.push(chunk) })
    socket.on('error', () => undefined)
    socket.on('close', () => {
      clearTimeout(timer)
      const all = Buffer.concat(chunks).toString('latin1')
      const split = all.indexOf('\r\n\r\n')
      const head = split === -1 ? all : all.slice(0, split)
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), head, body: split === -1 ? '' : all.slice(split + 4) })
    })
    socket.write(text)
  })
}

/** A GET of `path` asking to upgrade, with `extra` header lines, closing its side when done. */
export const upgradeRequest = (path: string, extra: string[] = []): string =>
  [`GET ${path} HTTP/1.1`, 'Host: 127.0.0.1', ...UPGRADE_LINES, ...extra, '', ''].join('\r\n')
