// Session and transaction commands: endSessions, refresh/kill, commitTransaction, abortTransaction.
import type { Document } from 'bson'
import type { Engine } from '../engine.ts'
import { ErrorCodes, MongoCommandError, writeConflict } from '../errors.ts'
import { sessionIdOf } from '../sessions/session-registry.ts'
import type { Transaction } from '../sessions/transaction.ts'
import type { Mutation } from '../storage/mutations.ts'
import type { CommandContext, CommandSpec } from './context.ts'

function endSessions(ctx: CommandContext): Document {
  const ids = ctx.cmd[ctx.name]
  if (Array.isArray(ids)) {
    for (const lsid of ids) {
      const id = sessionIdOf(lsid)
      if (!id) continue
      const session = ctx.engine.sessions.end(id)
      if (session?.txn) ctx.engine.abortTransaction(session.txn, 'session ended')
      ctx.engine.cursors.killSession(id)
    }
  }
  return { ok: 1 }
}

function txnMutations(engine: Engine, txn: Transaction): Mutation[] {
  const mutations: Mutation[] = []
  for (const [ns, writes] of txn.writes) {
    const dot = ns.indexOf('.')
    const db = ns.slice(0, dot)
    const name = ns.slice(dot + 1)
    const coll = engine.catalog.collection(db, name)
    for (const [docKey, doc] of writes) {
      const existing = coll?.docs.get(docKey)
      if (doc === null) {
        if (existing) mutations.push({ op: 'delete', db, coll: name, id: existing._id })
      } else {
        mutations.push({ op: existing ? 'replace' : 'insert', db, coll: name, doc })
      }
    }
  }
  return mutations
}

async function commitTransaction(ctx: CommandContext): Promise<Document> {
  const txn = ctx.txn!
  if (txn.state === 'committed') return { ok: 1 }
  const engine = ctx.engine
  let durable: Promise<void> | null
  try {
    durable = engine.commit(txnMutations(engine, txn))
  } catch (err) {
    engine.abortTransaction(txn, 'commit failed')
    if (err instanceof MongoCommandError && err.code === ErrorCodes.DuplicateKey)
      throw writeConflict(`commit: ${err.message}`)
    throw err
  }
  const at = engine.locks.tick()
  for (const key of txn.locked) engine.locks.noteWrite(key, at)
  engine.releaseTransaction(txn)
  txn.finish('committed')
  if (durable) await durable
  return { ok: 1 }
}

function abortTransaction(ctx: CommandContext): Document {
  ctx.engine.abortTransaction(ctx.txn!, 'aborted by client')
  return { ok: 1 }
}

const endSpec: CommandSpec = { run: endSessions, fields: [] }

export const sessionCommands: Record<string, CommandSpec> = {
  endSessions: endSpec,
  killSessions: endSpec,
  refreshSessions: { run: () => ({ ok: 1 }), fields: [] },
  startSession: { run: () => ({ ok: 1 }), fields: [] },
  commitTransaction: { run: commitTransaction, fields: ['recoveryToken'], inTransaction: true },
  abortTransaction: { run: abortTransaction, fields: ['recoveryToken'], inTransaction: true }
}
