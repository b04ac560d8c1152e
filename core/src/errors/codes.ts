// Stable, machine-readable error codes carried in every API error's `data.code`.
import {
  BadRequest,
  Conflict,
  type FeathersError,
  Forbidden,
  GeneralError,
  Gone,
  NotAuthenticated,
  NotFound,
  TooManyRequests,
  Unavailable,
  Unprocessable
} from '@feathersjs/errors'

export const ErrorCode = {
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  QUERY_NOT_ALLOWED: 'QUERY_NOT_ALLOWED',
  NOT_FOUND: 'NOT_FOUND',
  TENANT_REQUIRED: 'TENANT_REQUIRED',
  TENANT_UNKNOWN: 'TENANT_UNKNOWN',
  PLUGIN_DISABLED: 'PLUGIN_DISABLED',
  NOT_AUTHENTICATED: 'NOT_AUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  RATE_LIMITED: 'RATE_LIMITED',
  CONFLICT: 'CONFLICT',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  CONFIG_INVALID: 'CONFIG_INVALID',
  PLUGIN_INVALID: 'PLUGIN_INVALID',
  /** The data layer refused an operation outside the request scope's tenant (a bug, never a client mistake). */
  TENANT_SCOPE_VIOLATION: 'TENANT_SCOPE_VIOLATION',
  METHOD_NOT_ALLOWED: 'METHOD_NOT_ALLOWED',
  /** A dependency the call needs (e.g. Redis for login limits) is down for now: retry after Retry-After. */
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  INTERNAL: 'INTERNAL'
} as const
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode]

/** Field-level validation problem: `path` is a JSON pointer-ish dotted path, `message` is for humans. */
export interface FieldError {
  path: string
  message: string
}

export function validationError(message: string, errors: FieldError[]): FeathersError {
  return new BadRequest(message, { code: ErrorCode.VALIDATION_FAILED, errors })
}
export function queryNotAllowed(message: string, errors: FieldError[] = []): FeathersError {
  return new BadRequest(message, { code: ErrorCode.QUERY_NOT_ALLOWED, errors })
}
export function notFound(message = 'Not found'): FeathersError {
  return new NotFound(message, { code: ErrorCode.NOT_FOUND })
}
/** A resource that existed and is no longer served (an expired link): 410, coded NOT_FOUND plus `extra`. */
export function gone(message: string, extra: Record<string, unknown> = {}): FeathersError {
  return new Gone(message, { code: ErrorCode.NOT_FOUND, ...extra })
}
export function forbidden(message = 'Forbidden'): FeathersError {
  return new Forbidden(message, { code: ErrorCode.FORBIDDEN })
}
export function notAuthenticated(message = 'Not authenticated'): FeathersError {
  return new NotAuthenticated(message, { code: ErrorCode.NOT_AUTHENTICATED })
}
export function rateLimited(retryAfterSeconds: number): FeathersError {
  return new TooManyRequests('Too many requests, slow down', {
    code: ErrorCode.RATE_LIMITED,
    retryAfterSeconds
  })
}
export function conflict(message: string, extra: Record<string, unknown> = {}): FeathersError {
  return new Conflict(message, { code: ErrorCode.CONFLICT, ...extra })
}
export function unprocessable(message: string, errors: FieldError[] = []): FeathersError {
  return new Unprocessable(message, { code: ErrorCode.VALIDATION_FAILED, errors })
}
/** 503 with Retry-After: the only 5xx whose code and message reach clients (nothing internal in it). */
export function serviceUnavailable(
  retryAfterSeconds: number,
  message = 'Temporarily unavailable, retry shortly'
): FeathersError {
  return new Unavailable(message, { code: ErrorCode.SERVICE_UNAVAILABLE, retryAfterSeconds })
}
export function internal(message = 'Internal error'): FeathersError {
  return new GeneralError(message, { code: ErrorCode.INTERNAL })
}
