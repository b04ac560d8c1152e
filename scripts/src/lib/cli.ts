// Argument parsing and error output shared by the CLI scripts: strict flags, required values, --help,
// and service errors printed field by field.
import { parseArgs } from 'node:util'

export interface OptionSpec {
  type: 'string' | 'boolean'
  description: string
  required?: boolean
  multiple?: boolean
  short?: string
}

/** Wrong usage (unknown flag, missing value): exit code 2, with the usage text. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

export function usageText(command: string, summary: string, options: Record<string, OptionSpec>): string {
  const lines = [`Usage: ${command} [options]`, '', summary, '', 'Options:']
  for (const [name, spec] of Object.entries(options)) {
    const flag = `--${name}${spec.type === 'string' ? ' <value>' : ''}`
    const notes = [spec.required ? 'required' : '', spec.multiple ? 'repeatable' : '']
      .filter(Boolean)
      .join(', ')
    lines.push(`  ${flag.padEnd(26)} ${spec.description}${notes ? ` (${notes})` : ''}`)
  }
  lines.push(`  ${'--help'.padEnd(26)} show this help`)
  return lines.join('\n')
}

export function parseCli<T extends Record<string, OptionSpec>>(
  argv: readonly string[],
  options: T
): {
  [K in keyof T]?: T[K]['multiple'] extends true
    ? string[]
    : T[K]['type'] extends 'boolean'
      ? boolean
      : string
} & {
  help?: boolean
} {
  let values: Record<string, unknown>
  try {
    const config = Object.fromEntries(
      Object.entries(options).map(([name, spec]) => [
        name,
        { type: spec.type, multiple: spec.multiple ?? false, ...(spec.short && { short: spec.short }) }
      ])
    )
    values = parseArgs({
      args: [...argv],
      options: { ...config, help: { type: 'boolean', short: 'h' } } as any,
      strict: true,
      allowPositionals: false
    }).values
  } catch (error) {
    // parseArgs messages name the flag; strip its hint about '--' which does not apply here.
    throw new UsageError((error as Error).message.replace(/\. To specify a positional argument.*$/s, ''))
  }
  if (values.help) return values as any
  const missing = Object.entries(options)
    .filter(([name, spec]) => spec.required && (values[name] === undefined || values[name] === ''))
    .map(([name]) => `--${name}`)
  if (missing.length > 0)
    throw new UsageError(`Missing required option${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`)
  return values as any
}

/** Formats a Feathers/service error: message, code, then one line per field error. */
export function formatError(error: unknown): string {
  const e = error as {
    message?: string
    errors?: unknown
    data?: { code?: string; errors?: unknown; field?: string }
  }
  const lines = [e.message ?? String(error)]
  const code = e.data?.code
  if (code) lines[0] += ` [${code}]`
  // Feathers errors move `data.errors` to `error.errors`.
  const errors = e.errors ?? e.data?.errors
  if (Array.isArray(errors)) {
    for (const item of errors as { path?: string; message?: string }[]) {
      lines.push(`  ${item.path || '(body)'}: ${item.message}`)
    }
  } else if (e.data?.field) lines.push(`  ${e.data.field}: ${e.message}`)
  return lines.join('\n')
}

/**
 * Runs a script's main: usage errors exit 2 with the help text, other failures exit 1 with
 * the formatted error; `--help` prints usage and exits 0.
 */
export async function runCli(usage: string, main: () => Promise<void>): Promise<void> {
  try {
    await main()
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`Error: ${error.message}\n\n${usage}`)
      process.exit(2)
    }
    console.error(`✖ ${formatError(error)}`)
    process.exit(1)
  }
}
