// App-wide around hook: errors leaving any service call (REST or Socket.io) are normalised by the same
// rules as the HTTP error handler, so socket clients never see internal messages either.
import type { Logger } from 'pino'
import type { HookContext, NextFunction } from './declarations.ts'
import { toClientError } from './error-handler.ts'

export function maskUnexpectedErrors(logger: Logger) {
  return async (context: HookContext, next: NextFunction) => {
    try {
      await next()
    } catch (error) {
      throw toClientError(error, logger, context.params?.requestId)
    }
  }
}
