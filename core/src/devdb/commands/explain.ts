// explain for find/aggregate/count/distinct: reports the index used and keys/documents examined.
import type { Document } from 'bson'
import { commandError, ErrorCodes } from '../errors.ts'
import { matchEntries, newStats } from '../exec/query.ts'
import type { ScanStats } from '../storage/collection.ts'
import { executeAggregate } from './aggregate.ts'
import { type CommandContext, type CommandSpec, objectOrThrow } from './context.ts'
import { executeFind } from './find.ts'
import { SERVER_VERSION } from './handshake.ts'

function winningPlan(ctx: CommandContext, collName: string, stats: ScanStats): Document {
  if (!stats.indexName) return { stage: 'COLLSCAN', direction: 'forward' }
  const index = ctx.engine.catalog.collection(ctx.db, collName)?.indexes.get(stats.indexName)
  return {
    stage: 'FETCH',
    inputStage: {
      stage: 'IXSCAN',
      indexName: stats.indexName,
      keyPattern: index?.spec.key ?? {},
      isMultiKey: false,
      direction: 'forward'
    }
  }
}

export function explainOf(ctx: CommandContext, inner: Document): Document {
  const innerName = Object.keys(inner)[0]
  const innerCtx: CommandContext = { ...ctx, cmd: inner, name: innerName }
  const stats = newStats()
  const started = performance.now()
  let nReturned: number
  let filter: Document
  if (innerName === 'find') {
    nReturned = executeFind(innerCtx, stats).docs.length
    filter = (inner.filter as Document) ?? {}
  } else if (innerName === 'aggregate') {
    nReturned = executeAggregate(innerCtx, stats).docs.length
    filter = ((inner.pipeline as Document[])?.[0]?.$match as Document) ?? {}
  } else if (innerName === 'count' || innerName === 'distinct') {
    filter = (inner.query as Document) ?? {}
    const coll = ctx.engine.catalog.collection(ctx.db, String(inner[innerName]))
    nReturned = matchEntries(coll, filter, ctx.txn, {}, stats).length
  } else {
    throw commandError(
      ErrorCodes.NotImplemented,
      `explain of ${innerName} is not supported by the embedded devdb`
    )
  }
  const collName = String(inner[innerName])
  return {
    explainVersion: '1',
    queryPlanner: {
      namespace: `${ctx.db}.${collName}`,
      parsedQuery: filter,
      winningPlan: winningPlan(ctx, collName, stats),
      rejectedPlans: []
    },
    executionStats: {
      executionSuccess: true,
      nReturned,
      executionTimeMillis: Math.round(performance.now() - started),
      totalKeysExamined: stats.keysExamined,
      totalDocsExamined: stats.docsExamined
    },
    command: inner,
    serverInfo: { host: ctx.engine.address, version: SERVER_VERSION },
    ok: 1
  }
}

export const explainCommands: Record<string, CommandSpec> = {
  explain: {
    run: (ctx) => explainOf(ctx, objectOrThrow(ctx.cmd.explain, 'explain.explain')),
    fields: ['verbosity']
  }
}
