import { roundTrips } from './pingpong.js'
import type { Job, Result } from './job.js'

/** A frame the gateway relays (not one it answers itself), echoed unchanged by the upstream or the direct echo. */
export const RELAY_FRAME = JSON.stringify({ type: 'chat_message', id: 'bench', content: 'a chat line of a realistic length, relayed both ways' })

/** Round trips through the gateway to the echo (service flavor), or to the same echo directly (bare). */
export const gateway = async (job: Job): Promise<Result> => await roundTrips(job, RELAY_FRAME, '"chat_message"')
