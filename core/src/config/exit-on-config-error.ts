// For entry points (main.ts, worker.ts, scripts): print every configuration problem and exit non-zero.
import type { Config } from './config.ts'
import { ConfigError, loadConfig } from './load-config.ts'

/** Prints a ConfigError's problems to stderr and exits 1; rethrows anything else. */
export function exitOnConfigError(error: unknown): never {
  if (!(error instanceof ConfigError)) throw error
  const lines = error.problems.map((problem) => `  - ${problem.variable}: ${problem.message}`)
  process.stderr.write(
    `Configuration is invalid (${error.problems.length} problem(s)):\n${lines.join('\n')}\n`
  )
  process.exit(1)
}

export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env)
  } catch (error) {
    exitOnConfigError(error)
  }
}
