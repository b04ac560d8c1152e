// MongoDB-shaped server errors: numeric code + codeName + optional error labels, as the driver expects them.
import type { Document } from 'bson'

export const ErrorCodes = {
  InternalError: 1,
  BadValue: 2,
  NoSuchKey: 4,
  FailedToParse: 9,
  TypeMismatch: 14,
  IllegalOperation: 20,
  NamespaceNotFound: 26,
  IndexNotFound: 27,
  CursorNotFound: 43,
  NamespaceExists: 48,
  InvalidOptions: 72,
  InvalidLength: 16,
  Unauthorized: 13,
  CannotCreateIndex: 67,
  UnsupportedOpQueryCommand: 352,
  InvalidBSON: 22,
  TransactionCommitted: 256,
  CommandNotFound: 59,
  ImmutableField: 66,
  IndexOptionsConflict: 85,
  IndexKeySpecsConflict: 86,
  InvalidNamespace: 73,
  WriteConflict: 112,
  CommandNotSupported: 115,
  NotImplemented: 238,
  TransactionTooOld: 225,
  NoSuchTransaction: 251,
  OperationNotSupportedInTransaction: 263,
  DuplicateKey: 11000,
  UnknownField: 40415,
  UnrecognizedPipelineStage: 40324
} as const

const codeNames: Record<number, string> = {}
for (const [name, code] of Object.entries(ErrorCodes)) codeNames[code] = name
codeNames[ErrorCodes.UnknownField] = 'Location40415'
codeNames[ErrorCodes.UnrecognizedPipelineStage] = 'Location40324'

export class MongoCommandError extends Error {
  readonly code: number
  readonly codeName: string
  readonly labels: string[]
  readonly extra: Document

  constructor(code: number, message: string, extra: Document = {}, labels: string[] = []) {
    super(message)
    this.code = code
    this.codeName = codeNames[code] ?? `Location${code}`
    this.extra = extra
    this.labels = labels
  }

  toReply(): Document {
    const reply: Document = {
      ok: 0,
      errmsg: this.message,
      code: this.code,
      codeName: this.codeName,
      ...this.extra
    }
    if (this.labels.length > 0) reply.errorLabels = this.labels
    return reply
  }

  toWriteError(index: number): Document {
    return { index, code: this.code, errmsg: this.message, ...this.extra }
  }
}

export function commandError(code: number, message: string, extra?: Document): MongoCommandError {
  return new MongoCommandError(code, message, extra)
}

// mingo reports bad operators with plain Errors; translate the ones with a well-known MongoDB code.
// mongod's first-writer-wins error inside transactions: the label makes withTransaction retry the whole transaction.
export function writeConflict(detail: string): MongoCommandError {
  return new MongoCommandError(
    ErrorCodes.WriteConflict,
    `Write conflict during plan execution and yielding is disabled. :: Please retry your operation or multi-document transaction. (${detail})`,
    {},
    ['TransientTransactionError']
  )
}

export function fromEngineError(err: unknown): MongoCommandError {
  if (err instanceof MongoCommandError) return err
  const message = err instanceof Error ? err.message : String(err)
  if (
    /unknown (query|update|projection|expression|accumulator) operator|Unknown update operator/i.test(message)
  ) {
    const isUpdate = /update/i.test(message)
    return new MongoCommandError(isUpdate ? ErrorCodes.FailedToParse : ErrorCodes.BadValue, message)
  }
  if (/immutable field/i.test(message)) return new MongoCommandError(ErrorCodes.ImmutableField, message)
  if (/pipeline operator|unrecognized pipeline/i.test(message)) {
    return new MongoCommandError(ErrorCodes.UnrecognizedPipelineStage, message)
  }
  if (
    /non-numeric|must be a number|numeric type|type mismatch|expected.*(array|number|string)/i.test(message)
  ) {
    return new MongoCommandError(ErrorCodes.TypeMismatch, message)
  }
  return new MongoCommandError(ErrorCodes.BadValue, message)
}
