import { makeUsers } from '../lib/wire.js'
import { HeldSockets, handshakeLoop } from './held.js'
import { SdkFleet, replay } from './sdk-clients.js'

/**
 * A client generator process of the scale run (at most ~15,000 sockets each,
 * under the 20,000-file limit per process). It takes commands over IPC and
 * answers each with `{ id, result }` or `{ id, error }`.
 */
export type Command =
  | { kind: 'hold', ports: number[], users: number, from: number, to: number, concurrency: number }
  | { kind: 'held' }
  | { kind: 'per-user' }
  | { kind: 'release' }
  | { kind: 'rate', port: number, users: number, seconds: number, concurrency: number }
  | { kind: 'sdk-start', port: number, users: number, from: number, to: number, backoffMaxMs?: number }
  | { kind: 'sdk-status', sample: number }
  | { kind: 'sdk-close' }
  | { kind: 'replay', port: number, tickets: string[] }

const held = new HeldSockets()
let fleet: SdkFleet | undefined

async function run (command: Command): Promise<unknown> {
  switch (command.kind) {
    case 'hold':
      return await held.open(makeUsers(command.users), command.ports, command.from, command.to, command.concurrency)
    case 'held':
      return {
        open: held.sockets.length,
        failed: held.failed,
        firstError: held.firstError,
        otherCloses: held.otherCloses,
        unannounced: held.unannounced,
        pushLatencies: held.pushLatencies.splice(0),
        revoked: Object.fromEntries(held.revoked)
      }
    case 'per-user':
      return held.perUser()
    case 'release':
      return held.release()
    case 'rate':
      return await handshakeLoop(command.port, makeUsers(command.users), command.seconds, command.concurrency)
    case 'sdk-start':
      fleet = new SdkFleet(command.port, command.backoffMaxMs)
      return await fleet.start(makeUsers(command.users, 'sdk-user-').slice(command.from, command.to))
    case 'sdk-status':
      return fleet?.status(command.sample)
    case 'sdk-close':
      return fleet?.close()
    case 'replay':
      return await replay(command.port, command.tickets)
  }
}

process.on('message', (msg: { id: number, command: Command }) => {
  run(msg.command).then(
    result => process.send?.({ id: msg.id, result }),
    (err: Error) => process.send?.({ id: msg.id, error: err.stack ?? String(err) })
  )
})
// The coordinator going away ends the generator and its sockets.
process.on('disconnect', () => process.exit(0))
