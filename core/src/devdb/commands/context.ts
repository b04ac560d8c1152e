// What a command handler receives, how it is registered, and shared argument checks.
import type { Document } from 'bson'
import type { Engine } from '../engine.ts'
import { commandError, ErrorCodes } from '../errors.ts'
import type { Writer } from '../exec/writer.ts'
import type { Session } from '../sessions/session-registry.ts'
import type { Transaction } from '../sessions/transaction.ts'

export interface CommandContext {
  engine: Engine
  db: string
  name: string
  cmd: Document
  session: Session | null
  txn: Transaction | null
  writer: Writer
  connectionId: number
}

export interface CommandSpec {
  run: (ctx: CommandContext) => Document | Promise<Document>
  // Command-specific fields accepted besides the generic ones; anything else is an error.
  fields: readonly string[]
  // Handshake commands evolve with drivers (e.g. `backpressure`); they accept any extra field.
  anyFields?: boolean
  inTransaction?: boolean
  retryableWrite?: boolean
}

export function collectionArg(ctx: CommandContext, field = ctx.name): string {
  const value = ctx.cmd[field]
  if (typeof value !== 'string' || value.length === 0) {
    throw commandError(
      ErrorCodes.InvalidNamespace,
      `collection name has invalid type ${value === undefined ? 'missing' : typeof value}`
    )
  }
  return value
}

export function docArg(ctx: CommandContext, field: string, fallback?: Document): Document {
  const value = ctx.cmd[field]
  if (value === undefined || value === null) {
    if (fallback !== undefined) return fallback
    throw commandError(
      ErrorCodes.FailedToParse,
      `BSON field '${ctx.name}.${field}' is missing but a required field`
    )
  }
  return objectOrThrow(value, `${ctx.name}.${field}`)
}

export function objectOrThrow(value: unknown, label: string): Document {
  if (
    typeof value !== 'object' ||
    value === null ||
    Array.isArray(value) ||
    Object.getPrototypeOf(value) !== Object.prototype
  ) {
    throw commandError(
      ErrorCodes.TypeMismatch,
      `BSON field '${label}' is the wrong type '${typeName(value)}', expected type 'object'`
    )
  }
  return value as Document
}

export function numberArg(ctx: CommandContext, field: string, fallback: number): number {
  const value = ctx.cmd[field]
  if (value === undefined || value === null) return fallback
  const n = typeof value === 'number' ? value : Number((value as { toString(): string }).toString())
  if (!Number.isFinite(n)) {
    throw commandError(
      ErrorCodes.TypeMismatch,
      `BSON field '${ctx.name}.${field}' is the wrong type '${typeName(value)}', expected type 'number'`
    )
  }
  if (n < 0) throw commandError(ErrorCodes.BadValue, `${field} must be non-negative, got ${n}`)
  return Math.trunc(n)
}

export function typeName(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  if (typeof value === 'object') return (value as { _bsontype?: string })._bsontype ?? 'object'
  return typeof value === 'number' ? 'double' : typeof value
}

// Collation changes comparison results; only the default "simple" collation is honoured.
export function rejectCollation(ctx: CommandContext, value: unknown): void {
  if (value === undefined || value === null) return
  const locale = (value as Document).locale
  if (locale !== 'simple') {
    throw commandError(
      ErrorCodes.NotImplemented,
      `${ctx.name}: collation ${JSON.stringify(value)} is not supported by the embedded devdb`
    )
  }
}
