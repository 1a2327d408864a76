import t from 'tap'
import pino from 'pino'
import type { WebSocket } from 'ws'
import { createLiveSockets, EARLY_REVOCATION_MS, MAX_EARLY_REVOCATIONS } from '../../src/ws/live-sockets.js'
import { isoIn } from '../support/session-record.js'

/** The part of a server socket the registry touches, recording what it was asked to do. */
function socketDouble () {
  const calls: Array<[string, unknown]> = []
  const socket = {
    readyState: 1,
    bufferedAmount: 0,
    send: (data: string) => { const m = JSON.parse(data); calls.push(['send', m.reconnect === true ? `${m.type as string} reconnect` : m.type]) },
    close: (code: number) => { calls.push(['close', code]); socket.readyState = 2 },
    terminate: () => { calls.push(['terminate', undefined]) }
  }
  return { socket: socket as unknown as WebSocket, calls }
}
const record = (sessionId: string) => ({ sessionId, userId: 'alice', chatServerKey: 'UD21', authenticatedAt: new Date().toISOString(), expiresAt: isoIn() })
const registry = () => createLiveSockets({ maxBufferedBytes: 1024, log: pino({ level: 'silent' }) })

t.test('liveSockets › a revocation that overtakes its authentication closes the socket when it is attached', async t => {
  const liveSockets = registry()
  liveSockets.onStoreEvent({ kind: 'revoke', sessionId: 'session_early' })
  const { socket, calls } = socketDouble()
  liveSockets.attach(record('session_early'), socket)
  t.same(calls, [['send', 'session_revoked'], ['close', 4007]])
  const other = socketDouble()
  liveSockets.attach(record('session_other'), other.socket)
  t.same(other.calls, [], 'other sessions are untouched')
  const again = socketDouble()
  liveSockets.attach(record('session_early'), again.socket)
  t.same(again.calls, [], 'an early revocation applies once')
})

t.test('liveSockets › early revocations are forgotten after EARLY_REVOCATION_MS, and beyond MAX_EARLY_REVOCATIONS', async t => {
  const liveSockets = registry()
  liveSockets.onStoreEvent({ kind: 'revoke', sessionId: 'session_old' })
  const realNow = Date.now
  t.teardown(() => { Date.now = realNow })
  Date.now = () => realNow() + EARLY_REVOCATION_MS + 1
  liveSockets.onStoreEvent({ kind: 'revoke', sessionId: 'session_new' })
  const old = socketDouble()
  liveSockets.attach(record('session_old'), old.socket)
  t.same(old.calls, [], 'expired')
  for (let i = 0; i <= MAX_EARLY_REVOCATIONS; i++) liveSockets.onStoreEvent({ kind: 'revoke', sessionId: `session_${i}` })
  const evicted = socketDouble()
  liveSockets.attach(record('session_new'), evicted.socket)
  t.same(evicted.calls, [], 'the oldest is evicted past the cap')
  const kept = socketDouble()
  liveSockets.attach(record(`session_${MAX_EARLY_REVOCATIONS}`), kept.socket)
  t.same(kept.calls, [['send', 'session_revoked'], ['close', 4007]], 'the newest is kept')
})

t.test('liveSockets › session_revoked carries reconnect (false unless asked), also when the revocation came early', async t => {
  const liveSockets = registry()
  const asked = socketDouble()
  liveSockets.attach(record('session_asked'), asked.socket)
  liveSockets.onStoreEvent({ kind: 'revoke', sessionId: 'session_asked', reconnect: true })
  t.same(asked.calls, [['send', 'session_revoked reconnect'], ['close', 4007]])
  liveSockets.onStoreEvent({ kind: 'revoke', sessionId: 'session_later', reconnect: true })
  const later = socketDouble()
  liveSockets.attach(record('session_later'), later.socket)
  t.same(later.calls, [['send', 'session_revoked reconnect'], ['close', 4007]])
})

t.test('liveSockets › a user delivery reaches each of the user\'s sockets, one or several, and none once detached', async t => {
  const liveSockets = registry()
  const deliver = () => { liveSockets.onStoreEvent({ kind: 'deliver', userId: 'alice', payload: JSON.stringify({ type: 'push' }) }) }
  const sockets = ['session_a', 'session_b', 'session_c'].map(id => ({ id, ...socketDouble() }))
  const sent = () => sockets.map(s => s.calls.length)
  deliver()
  liveSockets.attach(record('session_a'), sockets[0].socket)
  deliver()
  t.same(sent(), [1, 0, 0], 'one session')
  liveSockets.attach(record('session_b'), sockets[1].socket)
  liveSockets.attach(record('session_c'), sockets[2].socket)
  deliver()
  t.same(sent(), [2, 1, 1], 'several sessions')
  liveSockets.detach(record('session_a'))
  liveSockets.detach(record('session_a'))
  liveSockets.detach(record('session_b'))
  deliver()
  t.same(sent(), [2, 1, 2], 'the one left')
  liveSockets.detach(record('session_c'))
  deliver()
  t.same(sent(), [2, 1, 2], 'none left')
  liveSockets.attach(record('session_a'), sockets[0].socket)
  liveSockets.detach(record('session_b'))
  deliver()
  t.same(sent(), [3, 1, 2], 'detaching another session leaves a lone one alone')
  liveSockets.detach(record('session_a'))
  deliver()
  t.same(sent(), [3, 1, 2])
})
