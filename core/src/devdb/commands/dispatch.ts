// Runs one command: field validation, session/transaction/retryable-write bookkeeping, error shaping.
import type { Document } from 'bson'
import type { Engine } from '../engine.ts'
import { commandError, ErrorCodes, fromEngineError, MongoCommandError } from '../errors.ts'
import { Writer } from '../exec/writer.ts'
import { type Session, sessionIdOf } from '../sessions/session-registry.ts'
import { Transaction } from '../sessions/transaction.ts'
import { OpCode } from '../wire/opcodes.ts'
import type { CommandContext, CommandSpec } from './context.ts'
import { commands, GENERIC_FIELDS } from './registry.ts'

const OP_QUERY_COMMANDS = new Set(['hello', 'isMaster', 'ismaster'])

export interface DispatchInput {
  engine: Engine
  db: string
  body: Document
  opCode: number
  connectionId: number
}

// The reply without `$clusterTime`/`operationTime`: the wire layer appends those as pre-encoded bytes
// (clusterTimeElements in handshake.ts).
export async function dispatch(input: DispatchInput): Promise<Document> {
  try {
    return await run(input)
  } catch (err) {
    if (!(err instanceof MongoCommandError)) input.engine.logger.debug({ err }, 'command failed')
    return fromEngineError(err).toReply()
  }
}

function txnNumberOf(cmd: Document): number | null {
  const value = cmd.txnNumber
  if (value === undefined || value === null) return null
  return Number(value.toString())
}

async function run(input: DispatchInput): Promise<Document> {
  const { engine, body } = input
  const name = Object.keys(body)[0]
  if (!name) throw commandError(ErrorCodes.FailedToParse, 'empty command document')
  const spec = Object.hasOwn(commands, name) ? commands[name] : undefined
  if (!spec) throw commandError(ErrorCodes.CommandNotFound, `no such command: '${name}'`)
  if (input.opCode === OpCode.QUERY && !OP_QUERY_COMMANDS.has(name)) {
    throw commandError(
      ErrorCodes.UnsupportedOpQueryCommand,
      `Unsupported OP_QUERY command: ${name}. The client driver may require an upgrade.`
    )
  }
  checkFields(name, spec, body)
  if (body.apiVersion !== undefined && body.apiVersion !== '1') {
    throw commandError(ErrorCodes.BadValue, `API version must be "1", got ${JSON.stringify(body.apiVersion)}`)
  }
  const sessionId = sessionIdOf(body.lsid)
  const session = sessionId ? engine.sessions.get(sessionId) : null
  const ctx: CommandContext = {
    engine,
    db: input.db,
    name,
    cmd: body,
    session,
    txn: null,
    writer: new Writer(engine, null),
    connectionId: input.connectionId
  }
  if (body.autocommit !== undefined) return runInTransaction(ctx, spec)
  if (body.startTransaction !== undefined)
    throw commandError(ErrorCodes.InvalidOptions, 'startTransaction requires autocommit: false')
  const txnNumber = txnNumberOf(body)
  if (txnNumber !== null && session && spec.retryableWrite) return runRetryable(ctx, spec, session, txnNumber)
  if (txnNumber !== null && !spec.retryableWrite) {
    throw commandError(
      ErrorCodes.InvalidOptions,
      `txnNumber may only be provided for multi-document transactions and retryable write commands. ${name} is not one of them.`
    )
  }
  return spec.run(ctx)
}

function checkFields(name: string, spec: CommandSpec, body: Document): void {
  if (spec.anyFields) return
  for (const field of Object.keys(body)) {
    if (field === name || GENERIC_FIELDS.has(field) || spec.fields.includes(field)) continue
    throw commandError(ErrorCodes.UnknownField, `BSON field '${name}.${field}' is an unknown field.`)
  }
}

async function runRetryable(
  ctx: CommandContext,
  spec: CommandSpec,
  session: Session,
  txnNumber: number
): Promise<Document> {
  const previous = session.results.get(txnNumber)
  if (previous) return structuredCloneReply(await previous)
  if (txnNumber < session.highestTxnNumber) {
    throw commandError(
      ErrorCodes.TransactionTooOld,
      `Retryable write with txnNumber ${txnNumber} is prohibited on session ${session.id} because a newer retryable write with txnNumber ${session.highestTxnNumber} has already started on this session.`
    )
  }
  if (session.txn && session.txn.state === 'active')
    ctx.engine.abortTransaction(session.txn, 'superseded by a newer txnNumber')
  session.highestTxnNumber = txnNumber
  const result = Promise.resolve(spec.run(ctx))
  // Only executed (ok: 1) results are remembered; a failed command did not apply and may be re-run.
  session.remember(txnNumber, result)
  try {
    const reply = await result
    if (reply.ok !== 1) session.results.delete(txnNumber)
    return reply
  } catch (err) {
    session.results.delete(txnNumber)
    throw err
  }
}

function structuredCloneReply(reply: Document): Document {
  return { ...reply }
}

function noSuchTransaction(message: string): MongoCommandError {
  return new MongoCommandError(ErrorCodes.NoSuchTransaction, message, {}, ['TransientTransactionError'])
}

async function runInTransaction(ctx: CommandContext, spec: CommandSpec): Promise<Document> {
  const { engine, cmd, session, name } = ctx
  if (cmd.autocommit !== false)
    throw commandError(ErrorCodes.InvalidOptions, 'autocommit must be false when specified')
  if (!session)
    throw commandError(ErrorCodes.InvalidOptions, 'Transactions require a logical session id (lsid)')
  const txnNumber = txnNumberOf(cmd)
  if (txnNumber === null)
    throw commandError(ErrorCodes.InvalidOptions, 'txnNumber is required for transaction commands')
  let txn = session.txn
  if (cmd.startTransaction === true) {
    if (
      txnNumber < session.highestTxnNumber ||
      (txnNumber === session.highestTxnNumber && txn?.txnNumber === txnNumber)
    ) {
      throw commandError(
        ErrorCodes.TransactionTooOld,
        `Cannot start transaction ${txnNumber} on session ${session.id} because a newer transaction ${session.highestTxnNumber} has already started.`
      )
    }
    if (txn && txn.state === 'active') engine.abortTransaction(txn, 'superseded by a newer transaction')
    txn = new Transaction(session.id, txnNumber, engine.locks.tick(), engine.versions)
    engine.locks.begin(txn)
    session.txn = txn
    session.highestTxnNumber = txnNumber
  } else {
    if (!txn || txn.txnNumber !== txnNumber) {
      throw noSuchTransaction(
        `Given transaction number ${txnNumber} does not match any in-progress transactions. The active transaction number is ${session.highestTxnNumber}`
      )
    }
    if (txn.state === 'committed') {
      if (name === 'commitTransaction') return { ok: 1 }
      throw commandError(
        ErrorCodes.TransactionCommitted,
        `Transaction with { txnNumber: ${txnNumber} } has been committed.`
      )
    }
    if (txn.state === 'aborted') {
      if (name === 'abortTransaction')
        throw commandError(
          ErrorCodes.NoSuchTransaction,
          `Transaction with { txnNumber: ${txnNumber} } has been aborted.`
        )
      throw noSuchTransaction(
        `Transaction with { txnNumber: ${txnNumber} } has been aborted${txn.abortReason ? ` (${txn.abortReason})` : ''}.`
      )
    }
  }
  if (!spec.inTransaction) {
    engine.abortTransaction(txn, `${name} is not allowed in a transaction`)
    throw commandError(
      ErrorCodes.OperationNotSupportedInTransaction,
      `Cannot run '${name}' in a multi-document transaction.`
    )
  }
  txn.lastUse = Date.now()
  ctx.txn = txn
  ctx.writer = new Writer(engine, txn)
  try {
    const reply = await spec.run(ctx)
    if (reply.writeErrors && txn.state === 'active')
      engine.abortTransaction(txn, 'write error in transaction')
    return reply
  } catch (err) {
    if (name !== 'commitTransaction' && name !== 'abortTransaction')
      engine.abortTransaction(txn, 'error in transaction')
    const error = fromEngineError(err)
    if (error.code === ErrorCodes.WriteConflict && !error.labels.includes('TransientTransactionError'))
      error.labels.push('TransientTransactionError')
    throw error
  }
}
