import fc from 'fast-check'

/**
 * The seed of every random test: fixed, so the suite is the same on every run;
 * `FC_SEED=<n>` replays a reported failure, `FC_SEED=random` explores a fresh one.
 */
const FIXED = 20261130
const env = process.env.FC_SEED
export const seed = env === undefined || env === '' ? FIXED : env === 'random' ? Date.now() % 2 ** 31 : Number(env)
if (!Number.isInteger(seed)) throw new Error(`FC_SEED must be an integer or "random", got ${String(env)}`)

/** How to run one test file again with this seed, appended to every failure. */
export const replay = `replay: FC_SEED=${seed} npx tap ${process.argv[1] ?? '<file>'}`

/** fc.assert with the shared seed; a failure's message names the seed and the command that replays it. */
export async function check<Ts extends [unknown, ...unknown[]]> (
  property: fc.IProperty<Ts> | fc.IAsyncProperty<Ts>, params: fc.Parameters<Ts> = {}
): Promise<void> {
  try {
    await fc.assert(property, { seed, ...params })
  } catch (err) {
    if (err instanceof Error) err.message = `${err.message}\n${replay}`
    throw err
  }
}
