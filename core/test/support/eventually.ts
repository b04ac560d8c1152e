// Test helpers for asynchronous outcomes: poll until a condition holds instead of sleeping a guessed time.

export const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

type Truthy<T> = Exclude<T, false | null | undefined | 0 | ''>

/**
 * Polls `check` until it returns a truthy value and returns it. A throwing check counts as "not yet"
 * (the resource may not exist yet); its last error is named if the time runs out.
 */
export async function eventually<T>(
  check: () => Promise<T> | T,
  timeoutMs = 10_000,
  what = 'condition',
  intervalMs = 50
): Promise<Truthy<T>> {
  const started = Date.now()
  let last: unknown
  for (;;) {
    try {
      const value = await check()
      if (value) return value as Truthy<T>
    } catch (error) {
      last = error
    }
    if (Date.now() - started > timeoutMs) {
      const cause = last ? `: ${(last as Error).message}` : ''
      throw new Error(`condition not met in time (${what})${cause}`)
    }
    await pause(intervalMs)
  }
}

/** Waits until a synchronous `predicate` holds (or throws after `timeoutMs`). */
export async function waitFor(predicate: () => boolean, timeoutMs = 3_000): Promise<void> {
  await eventually(predicate, timeoutMs, 'predicate', 20)
}
