// Validates one parsed pack file against its schema; every problem names the file and the field.
import type { TObject } from '@feathersjs/typebox'
import { Ajv, type ErrorObject } from 'ajv'
import addFormatsModule from 'ajv-formats'

export interface PackProblem {
  /** Path of the file relative to the packs root. */
  file: string
  /** Dotted field path inside the file ('' for the whole file). */
  field: string
  message: string
}

export class PackValidationError extends Error {
  readonly problems: readonly PackProblem[]
  constructor(problems: readonly PackProblem[]) {
    super(`Tenant packs are invalid:\n${problems.map(formatProblem).join('\n')}`)
    this.name = 'PackValidationError'
    this.problems = problems
  }
}

export function formatProblem(problem: PackProblem): string {
  return `  ${problem.file}${problem.field ? ` → ${problem.field}` : ''}: ${problem.message}`
}

// ajv-formats is CommonJS: its default export arrives wrapped under Node's ESM interop.
const addFormats = ((addFormatsModule as any).default ?? addFormatsModule) as (ajv: Ajv) => Ajv
const ajv = addFormats(new Ajv({ allErrors: true, strict: false }))

const compiled = new WeakMap<TObject, ReturnType<Ajv['compile']>>()

export function validatePackFile(schema: TObject, data: unknown, file: string): PackProblem[] {
  let validate = compiled.get(schema)
  if (!validate) {
    validate = ajv.compile(schema)
    compiled.set(schema, validate)
  }
  if (validate(data)) return []
  return (validate.errors ?? []).map((error) => toProblem(error, file))
}

function toProblem(error: ErrorObject, file: string): PackProblem {
  const base = error.instancePath.replace(/^\//, '').replaceAll('/', '.')
  const params = error.params as Record<string, unknown>
  if (error.keyword === 'required') {
    const field = [base, String(params.missingProperty)].filter(Boolean).join('.')
    return { file, field, message: 'is required' }
  }
  if (error.keyword === 'additionalProperties') {
    const field = [base, String(params.additionalProperty)].filter(Boolean).join('.')
    return { file, field, message: 'is not a known field' }
  }
  if (error.keyword === 'pattern')
    return { file, field: base, message: `has an invalid format (${params.pattern})` }
  return { file, field: base, message: error.message ?? 'is invalid' }
}
