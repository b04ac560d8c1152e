// Maps mongoose/MongoDB errors to coded Feathers errors so client mistakes are never a 500 and
// no error message ever echoes a secret value.
import { FeathersError } from '@feathersjs/errors'
import mongoose from 'mongoose'
import { conflict, type FieldError, notFound, queryNotAllowed, validationError } from '../errors/codes.ts'
import { TENANT_FIELD } from './tenant-scope-access.ts'

export interface MapErrorContext {
  /** True for get/update/patch/remove by id: an uncastable id means "no such record" (404). */
  byId?: boolean
  id?: unknown
  /** True when the failing part is the query (filter), false when it is the data written. */
  inQuery?: boolean
}

function castMessage(error: any): string {
  const kind = error.kind ?? error.instance ?? 'value'
  return `must be a valid ${String(kind).toLowerCase()}`
}

function fieldErrorsOf(validation: mongoose.Error.ValidationError): FieldError[] {
  return Object.values(validation.errors).map((error: any) => ({
    path: error.path,
    // Built-in validator messages may quote the value; cast errors are rewritten without it.
    message: error instanceof mongoose.Error.CastError ? castMessage(error) : String(error.message)
  }))
}

export function mapDataError(error: unknown, context: MapErrorContext = {}): unknown {
  if (error instanceof FeathersError) return error
  const err = error as any
  if (err instanceof mongoose.Error.ValidationError) {
    const errors = fieldErrorsOf(err)
    return validationError(
      `Validation failed: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`,
      errors
    )
  }
  if (err instanceof mongoose.Error.CastError) {
    if (context.byId && (err.path === '_id' || err.path === undefined))
      return notFound(`No record found for id '${String(context.id)}'`)
    const errors = [{ path: err.path, message: castMessage(err) }]
    return context.inQuery === false
      ? validationError(`Invalid data: ${err.path} ${castMessage(err)}`, errors)
      : queryNotAllowed(`Invalid query: ${err.path} ${castMessage(err)}`, errors)
  }
  if (err instanceof mongoose.Error.StrictModeError) {
    const path = err.path ?? 'query'
    const message = context.inQuery === false ? 'is not a known field' : 'is not a known field to query'
    return (context.inQuery === false ? validationError : queryNotAllowed)(`${path} ${message}`, [
      { path, message }
    ])
  }
  if (err instanceof mongoose.Error.DocumentNotFoundError) return notFound()
  if (err?.name === 'MongooseError' && /sanitizeFilter|strictQuery/.test(String(err.message))) {
    return queryNotAllowed('Query not allowed', [{ path: 'query', message: 'uses a forbidden operator' }])
  }
  if (err?.code === 11000 || err?.code === 11001) {
    const fields = Object.keys(err.keyPattern ?? err.keyValue ?? {}).filter((field) => field !== TENANT_FIELD)
    const named = fields.length > 0 ? fields.join(', ') : 'a unique field'
    // Values are deliberately left out: they may be secret or personal.
    return conflict(`A record with the same ${named} already exists`, {
      errors: fields.map((path) => ({ path, message: 'is already taken' })),
      fields
    })
  }
  return error
}
