// Turns every error into a JSON error response with a stable `data.code`; unknown errors become a
// generic 500 (logged with the request id) so internals never leak to clients. A 503 is the one 5xx that
// passes through (code, Retry-After): it tells clients to retry, which an opaque 500 would not.
import { BadRequest, FeathersError, GeneralError, MethodNotAllowed, NotFound } from '@feathersjs/errors'
import type { Middleware } from '@feathersjs/koa'
import type { Logger } from 'pino'
import { ErrorCode, serviceUnavailable } from '../errors/codes.ts'

/** Marks errors already logged by toClientError, so REST errors passing two layers log once. */
const LOGGED = Symbol('logged')

const CODE_BY_STATUS: Record<number, string> = {
  400: ErrorCode.VALIDATION_FAILED,
  401: ErrorCode.NOT_AUTHENTICATED,
  403: ErrorCode.FORBIDDEN,
  404: ErrorCode.NOT_FOUND,
  405: ErrorCode.METHOD_NOT_ALLOWED,
  409: ErrorCode.CONFLICT,
  413: ErrorCode.PAYLOAD_TOO_LARGE,
  422: ErrorCode.VALIDATION_FAILED,
  429: ErrorCode.RATE_LIMITED
}

/** Body parser and Koa errors carry an HTTP status (`expose` marks client errors). */
function fromHttpError(error: any): FeathersError | undefined {
  const status = Number(error?.status ?? error?.statusCode)
  if (!Number.isInteger(status) || status < 400 || status >= 500) return undefined
  if (status === 413) {
    // raw-body (under koa-body) names the limit it applied.
    const limit = Number(error?.limit)
    return new FeathersError(
      Number.isInteger(limit) && limit > 0
        ? `Request body is too large (at most ${limit} bytes)`
        : 'Request body is too large',
      'PayloadTooLarge',
      413,
      'payload-too-large',
      {
        code: ErrorCode.PAYLOAD_TOO_LARGE,
        ...(Number.isInteger(limit) && limit > 0 && { limitBytes: limit })
      }
    )
  }
  if (status === 415) {
    return new FeathersError(
      'Unsupported content type',
      'UnsupportedMediaType',
      415,
      'unsupported-media-type',
      {
        code: ErrorCode.VALIDATION_FAILED
      }
    )
  }
  if (status === 400 && /json/i.test(String(error.message))) {
    return new BadRequest('Request body is not valid JSON', { code: ErrorCode.VALIDATION_FAILED })
  }
  if (status === 404) return new NotFound('Not found', { code: ErrorCode.NOT_FOUND })
  if (status === 405)
    return new MethodNotAllowed('Method not allowed', { code: ErrorCode.METHOD_NOT_ALLOWED })
  return new FeathersError(
    error.expose ? String(error.message) : 'Bad request',
    'BadRequest',
    status,
    'bad-request',
    {
      code: CODE_BY_STATUS[status] ?? ErrorCode.VALIDATION_FAILED
    }
  )
}

/** Normalises any thrown value into the error sent to clients (REST here, sockets via app hooks). */
export function toClientError(error: unknown, logger: Logger, requestId?: string): FeathersError {
  if (error instanceof FeathersError) {
    const data = (error.data ?? {}) as Record<string, unknown>
    if (error.code === 503) return unavailableForClients(error, logger, requestId)
    if (error.code >= 500) {
      if ((error as any)[LOGGED]) return error
      logger.error({ err: error, requestId }, 'server error')
      // Keep the code (e.g. TENANT_SCOPE_VIOLATION) for operators; hide the message from clients.
      return logged(new GeneralError('Internal error', { code: data.code ?? ErrorCode.INTERNAL, requestId }))
    }
    if (!data.code)
      (error as any).data = { ...data, code: CODE_BY_STATUS[error.code] ?? ErrorCode.VALIDATION_FAILED }
    return error
  }
  const mapped = fromHttpError(error)
  if (mapped) return mapped
  logger.error({ err: error, requestId }, 'unhandled error')
  return logged(new GeneralError('Internal error', { code: ErrorCode.INTERNAL, requestId }))
}

/** Deliberate 503s (made with serviceUnavailable, carrying a code) keep their message; others get a generic one. */
function unavailableForClients(error: FeathersError, logger: Logger, requestId?: string): FeathersError {
  if ((error as any)[LOGGED]) return error
  const data = (error.data ?? {}) as Record<string, unknown>
  logger.warn({ err: { message: error.message, code: data.code }, requestId }, 'service unavailable')
  const retryAfterSeconds = typeof data.retryAfterSeconds === 'number' ? data.retryAfterSeconds : 5
  const deliberate = data.code === ErrorCode.SERVICE_UNAVAILABLE
  return logged(
    serviceUnavailable(
      retryAfterSeconds,
      deliberate ? error.message : 'Temporarily unavailable, retry shortly'
    )
  )
}

/** Statuses whose answer tells the client when to come back. */
export function retryAfterOf(error: FeathersError): number | undefined {
  const retryAfter = (error.data as any)?.retryAfterSeconds
  return (error.code === 429 || error.code === 503) && typeof retryAfter === 'number' ? retryAfter : undefined
}

function logged(error: FeathersError): FeathersError {
  ;(error as any)[LOGGED] = true
  return error
}

/** Answers the request with `error` as a client error (status, JSON body, Retry-After). */
export function answerError(ctx: any, error: unknown, logger: Logger): void {
  const clientError = toClientError(error, logger, ctx.state.requestId)
  ctx.status = clientError.code
  ctx.body = clientError.toJSON()
  const retryAfter = retryAfterOf(clientError)
  if (retryAfter !== undefined) ctx.set('Retry-After', String(retryAfter))
}

/** A route nobody answered: the same coded 404 as any other. */
export function unanswered(ctx: any): boolean {
  return ctx.body === undefined && ctx.status === 404
}

export function pathNotFound(ctx: any): NotFound {
  return new NotFound(`Path ${ctx.path} not found`, { code: ErrorCode.NOT_FOUND })
}

export function errorHandlerMiddleware(logger: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next()
      if (unanswered(ctx)) throw pathNotFound(ctx)
    } catch (error) {
      answerError(ctx, error, logger)
    }
  }
}
