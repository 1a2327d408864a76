import { firstError } from '../protocol/checkers.js'
import { isoNow } from '../protocol/clock.js'
import type { CompiledMessage, MessageContext } from './handlers.js'
import type { Session } from './session.js'
import type { Sink } from './sink.js'

export function createLocalSink (messages: ReadonlyMap<string, CompiledMessage>): Sink {
  return {
    knows: type => messages.has(type),
    deliver (session, message, id) {
      const compiled = messages.get(message.type as string)
      if (compiled === undefined) return session.error('UNKNOWN_MESSAGE_TYPE', id)
      if (!compiled.check.Check(message)) return session.error('INVALID_MESSAGE', id, firstError(compiled.check, message))
      if (compiled.answer !== undefined) {
        session.send(compiled.answer(message as never, id))
        return undefined
      }
      return dispatch(session, compiled, message, id)
    }
  }
}

function dispatch (session: Session, compiled: CompiledMessage, message: unknown, id: string | undefined): Promise<void> | undefined {
  const ctx: MessageContext = {
    session: session.record,
    state: session.state,
    log: session.log,
    reply: (reply) => {
      // Copied, then stamped: spreading in extra keys is a slow path in V8 (docs/benchmarks.md).
      const out: Record<string, unknown> = Object.assign({}, reply)
      out.id = id
      out.timestamp = isoNow()
      session.send(out as never)
    }
  }
  try {
    const result = compiled.handler(message as never, ctx)
    return result instanceof Promise ? result.catch((err: unknown) => { handlerFailed(session, err, id) }) : undefined
  } catch (err) {
    handlerFailed(session, err, id)
  }
}

function handlerFailed (session: Session, err: unknown, id: string | undefined): void {
  session.log.error({ err }, 'message handler failed')
  session.error('MESSAGE_ERROR', id)
}
