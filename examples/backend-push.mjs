/**
 * A chat backend reaching its users through the service's backend API, with
 * nothing but Node's fetch (any language with an HTTP client does the same):
 * ask who is online, push a message to every socket of a user, then log that
 * user out everywhere. Works across every instance sharing the store.
 *
 *   BACKEND_URL=http://localhost:3000 BACKEND_API_KEY=<a key of BACKEND_API_KEYS> node examples/backend-push.mjs alice
 *
 * Any answer other than 2xx stops it with the service's status, code and text, and exit code 1.
 */
const { BACKEND_URL, BACKEND_API_KEY } = process.env
const userId = process.argv[2]

async function backend (method, path, body) {
  const res = await fetch(new URL(path, BACKEND_URL), {
    method,
    headers: { authorization: `Bearer ${BACKEND_API_KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body)
  })
  // Errors come as { success: false, error, code }; a proxy in between may answer something else.
  const answer = await res.json().catch(() => ({ code: 'not JSON', error: res.statusText }))
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status} ${answer.code}: ${answer.error}`)
  return answer
}

try {
  if (!BACKEND_URL || !BACKEND_API_KEY || !userId) {
    throw new Error('usage: BACKEND_URL=http://host:port BACKEND_API_KEY=<key> node examples/backend-push.mjs <userId>')
  }
  const user = encodeURIComponent(userId)
  const { online } = await backend('GET', `/api/websocket/presence?userId=${user}`)
  console.log(`${userId} has ${online[userId]} live session(s)`)
  await backend('POST', `/api/websocket/users/${user}/messages`, { message: { type: 'notification', text: 'Your order has shipped' } })
  console.log(`pushed a notification to ${userId}`)
  // reconnect: false tells the client not to come back (true: reconnect, e.g. to pick up new permissions).
  const { revoked } = await backend('DELETE', `/api/websocket/users/${user}/sessions`, { reconnect: false })
  console.log(`revoked ${revoked} session(s) of ${userId}`)
} catch (err) {
  // fetch's own failures (connection refused, DNS) keep the reason in `cause`.
  console.error(`backend-push failed: ${err.message}${err.cause ? ` (${err.cause.message})` : ''}`)
  process.exitCode = 1
}
