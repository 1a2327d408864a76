import t from 'tap'
import fc from 'fast-check'
import { listen, issueTicket, Client, authenticated, type Message } from '../helper.js'
import { seed } from '../support/seed.js'
import { frames, knownCodes, closeCodes, REPLY_TYPES } from '../support/hostile.js'

t.test('GET /ws › thousands of random and hostile frames: protocol answers only, no ticket consumed, still serving', async t => {
  const { app, ws } = await listen(t, { MESSAGE_RATE_LIMIT: '100000' })
  const spare = await issueTicket(app, 'alice')
  const samples = fc.sample(frames, { numRuns: 3000, seed })
  let answers = 0
  const unexpected: Message[] = []
  const badCloses: number[] = []

  async function flood (client: Client, batch: Array<string | Buffer>) {
    for (const frame of batch) {
      if (client.socket.readyState !== client.socket.OPEN) break
      client.socket.send(frame, { binary: Buffer.isBuffer(frame) })
      const answer = await Promise.race([client.next(2000), client.closed.then(() => undefined)])
      if (answer === undefined) break
      answers++
      if (!knownCodes.has(answer.code) && !Object.values(REPLY_TYPES).includes(answer.type)) unexpected.push(answer)
    }
  }

  for (let i = 0; i < samples.length; i += 250) {
    const batch = samples.slice(i, i + 250)
    const [anonymous] = await Client.connect(ws)
    await flood(anonymous, batch)
    const [authed] = await authenticated(app, ws, `flood-${i}`)
    await flood(authed, batch)
    for (const c of [anonymous, authed]) {
      if (c.socket.readyState === c.socket.OPEN) c.close()
      const { code } = await c.closed
      if (!closeCodes.has(code)) badCloses.push(code)
    }
  }
  t.ok(answers > 3000, `every frame got an answer (${answers})`)
  t.same(unexpected.slice(0, 5), [], 'every answer is a protocol message or code')
  t.same(badCloses, [], 'every close used a protocol close code')
  const [client] = await Client.connect(ws)
  t.equal((await client.request({ type: 'ticket_authenticate', ticket: spare })).type, 'authentication_success', 'the spare ticket was not consumed')
  t.equal((await client.request({ type: 'chat_message', content: 'still here' })).content, 'Echo: still here')
  client.close()
})
