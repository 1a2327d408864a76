import { request } from 'node:http'

const UPGRADE_HEADERS = { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' }

/** A raw upgrade request to /ws: the status and body of a refusal, or 101 once upgraded (the socket is then dropped). */
export async function rawUpgrade (port: number, headers: Record<string, string> = {}): Promise<{ status: number, body: string }> {
  return await new Promise((resolve, reject) => {
    const req = request({ port, host: '127.0.0.1', path: '/ws', headers: { ...UPGRADE_HEADERS, ...headers } })
    req.on('response', res => {
      let body = ''
      res.on('data', chunk => { body += chunk })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('upgrade', (_res, socket) => {
      socket.destroy()
      resolve({ status: 101, body: '' })
    })
    req.on('error', reject)
    req.end()
  })
}
