// Turns a statement's failure into a writeErrors entry, or rethrows errors that must fail the whole command.
import type { Document } from 'bson'
import { ErrorCodes, fromEngineError, MongoCommandError } from '../errors.ts'

export function statementError(err: unknown, index: number): Document {
  if (err instanceof MongoCommandError && err.code === ErrorCodes.WriteConflict) throw err
  if (!(err instanceof MongoCommandError) && !(err instanceof Error)) throw err
  return fromEngineError(err).toWriteError(index)
}

export function arrayArg(value: unknown, label: string): Document[] {
  if (!Array.isArray(value)) {
    throw new MongoCommandError(
      ErrorCodes.TypeMismatch,
      `BSON field '${label}' is the wrong type, expected type 'array'`
    )
  }
  if (value.length === 0)
    throw new MongoCommandError(
      ErrorCodes.InvalidLength,
      `Write batch sizes must be between 1 and 100000. Got 0 operations.`
    )
  return value as Document[]
}
