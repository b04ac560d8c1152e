// Turns whatever a Feathers client throws (a REST error body, a socket error, a network failure) into one
// shape the apps can render: HTTP status, error code and the field-level messages keyed by field path.
import type { FieldError } from '../errors/codes.ts'

export interface ApiError {
  status: number
  code: string
  message: string
  /** Field path → message, for showing next to the right input. */
  fields: Record<string, string>
}

interface FeathersErrorLike {
  code?: unknown
  message?: unknown
  data?: { code?: unknown; errors?: unknown }
  /** Feathers moves `data.errors` of a FeathersError to the top level when it serializes. */
  errors?: unknown
}

export function toApiError(error: unknown): ApiError {
  const raw = (error ?? {}) as FeathersErrorLike
  const status = typeof raw.code === 'number' ? raw.code : 0
  const fields: Record<string, string> = {}
  const errors = Array.isArray(raw.errors) ? raw.errors : raw.data?.errors
  if (Array.isArray(errors)) {
    for (const entry of errors as FieldError[]) {
      if (entry && typeof entry.message === 'string') fields[entry.path || '_'] ??= entry.message
    }
  }
  return {
    status: status || 503,
    code: typeof raw.data?.code === 'string' ? raw.data.code : status ? `HTTP_${status}` : 'API_UNREACHABLE',
    message: typeof raw.message === 'string' && raw.message ? raw.message : 'The service is not reachable',
    fields
  }
}

export function isApiStatus(error: unknown, status: number): boolean {
  return toApiError(error).status === status
}
