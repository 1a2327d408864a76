/**
 * Until `check` holds, for work the code does on its own schedule and reports
 * no event for (a sweeper, a reconnect); fails after `timeoutMs` instead of hanging.
 */
export async function until (what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!await check()) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`)
    await new Promise(resolve => setTimeout(resolve, 20))
  }
}
