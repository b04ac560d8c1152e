// Accepts only known, plain (operator-free) query fields, so client queries cannot inject MongoDB operators.
import { queryNotAllowed } from '../errors/codes.ts'

export interface PlainQuery {
  filter: Record<string, string>
  limit: number
  skip: number
}

export function plainQuery(
  query: Record<string, unknown> | undefined,
  allowed: readonly string[]
): PlainQuery {
  const filter: Record<string, string> = {}
  let limit = 25
  let skip = 0
  const errors: { path: string; message: string }[] = []
  for (const [key, value] of Object.entries(query ?? {})) {
    if (key === '$limit' || key === '$skip') {
      const number = Number(value)
      if (!Number.isInteger(number) || number < 0)
        errors.push({ path: key, message: 'must be a non-negative integer' })
      else if (key === '$limit') limit = Math.min(number, 100)
      else skip = number
    } else if (!allowed.includes(key)) {
      errors.push({ path: key, message: 'is not a queryable field' })
    } else if (typeof value !== 'string') {
      errors.push({ path: key, message: 'must be a plain string value' })
    } else {
      filter[key] = value
    }
  }
  if (errors.length > 0) throw queryNotAllowed('Query not allowed', errors)
  return { filter, limit, skip }
}
