// Turns every error into a JSON error response with a stable `data.code`; unknown errors become a
// generic 500 (logged with the request id) so internals never leak to clients.
import { BadRequest, FeathersError, GeneralError, MethodNotAllowed, NotFound } from '@feathersjs/errors'
import type { Middleware } from '@feathersjs/koa'
import type { Logger } from 'pino'
import { ErrorCode } from '../errors/codes.ts'

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
    return new FeathersError('Request body is too large', 'PayloadTooLarge', 413, 'payload-too-large', {
      code: ErrorCode.PAYLOAD_TOO_LARGE
    })
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

function logged(error: FeathersError): FeathersError {
  ;(error as any)[LOGGED] = true
  return error
}

export function errorHandlerMiddleware(logger: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next()
      if (ctx.body === undefined && ctx.status === 404) {
        throw new NotFound(`Path ${ctx.path} not found`, { code: ErrorCode.NOT_FOUND })
      }
    } catch (error) {
      const clientError = toClientError(error, logger, ctx.state.requestId)
      ctx.status = clientError.code
      ctx.body = clientError.toJSON()
      const retryAfter = (clientError.data as any)?.retryAfterSeconds
      if (clientError.code === 429 && retryAfter) ctx.set('Retry-After', String(retryAfter))
    }
  }
}
