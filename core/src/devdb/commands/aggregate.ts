// aggregate: leading $match/$sort/$skip/$limit go through the index planner; the rest runs natively where
// compiled (exec/pipeline) and in mingo otherwise.
import type { Document } from 'bson'
import { commandError, ErrorCodes } from '../errors.ts'
import { runStages } from '../exec/pipeline/run-pipeline.ts'
import {
  allDocuments,
  documentTest,
  type MatchOptions,
  matchEntries,
  newStats,
  runPipeline
} from '../exec/query.ts'
import { cloneDocument } from '../storage/bson-clone.ts'
import type { ScanStats } from '../storage/collection.ts'
import {
  type CommandContext,
  type CommandSpec,
  numberArg,
  objectOrThrow,
  rejectCollation
} from './context.ts'

const REFUSED_STAGES = new Set([
  '$out',
  '$merge',
  '$changeStream',
  '$geoNear',
  '$search',
  '$searchMeta',
  '$vectorSearch',
  '$collStats',
  '$indexStats',
  '$currentOp',
  '$listSessions',
  '$listLocalSessions'
])

export interface AggregateResult {
  docs: Document[]
  stats: ScanStats
}

export function executeAggregate(ctx: CommandContext, stats = newStats()): AggregateResult {
  const target = ctx.cmd.aggregate
  const pipeline = ctx.cmd.pipeline
  if (!Array.isArray(pipeline))
    throw commandError(
      ErrorCodes.TypeMismatch,
      "BSON field 'aggregate.pipeline' is the wrong type, expected type 'array'"
    )
  rejectCollation(ctx, ctx.cmd.collation)
  for (const stage of pipeline) {
    const keys = Object.keys(objectOrThrow(stage, 'aggregate.pipeline'))
    if (keys.length !== 1)
      throw commandError(
        ErrorCodes.UnrecognizedPipelineStage,
        'A pipeline stage specification object must contain exactly one field.'
      )
    if (REFUSED_STAGES.has(keys[0])) {
      throw commandError(
        ErrorCodes.NotImplemented,
        `${keys[0]} is not supported by the embedded devdb (run against a real MongoDB via MONGODB_URI)`
      )
    }
  }
  let input: Document[]
  let rest = pipeline as Document[]
  if (target === 1) {
    input = []
  } else {
    if (typeof target !== 'string' || target.length === 0)
      throw commandError(ErrorCodes.InvalidNamespace, 'aggregate requires a collection name or 1')
    const coll = ctx.engine.catalog.collection(ctx.db, target)
    const head = leadingScan(rest)
    input =
      head.limit === 0 ? [] : matchEntries(coll, head.filter, ctx.txn, head.options, stats).map((e) => e[1])
    rest = rest.slice(head.stages)
  }
  const resolve = (name: string) =>
    allDocuments(ctx.engine.catalog.collection(ctx.db, name), ctx.txn).map(cloneDocument)
  const options: Document = { collectionResolver: resolve }
  if (ctx.cmd.let) options.variables = ctx.cmd.let
  if (rest.length === 0) return { docs: input, stats }
  const engines = {
    general: (docs: Document[], stages: Document[]) => runPipeline(docs, stages, options),
    matcher: documentTest
  }
  return { docs: runStages(input, rest, engines, target !== 1), stats }
}

interface LeadingScan {
  filter: Document
  options: MatchOptions
  // null = no limit stage; 0 = nothing can pass.
  limit: number | null
  stages: number
}

// The pipeline's leading $match, $sort, $skip and $limit stages, answered by the query executor (index
// selection, an index walk in sort order that stops after skip + limit) instead of the generic pipeline.
function leadingScan(pipeline: Document[]): LeadingScan {
  let i = 0
  // Consecutive $match stages (the data layer prepends the tenant's) are one filter, as in MongoDB's optimizer.
  const filters: Document[] = []
  while (pipeline[i] && '$match' in pipeline[i]) filters.push(objectOrThrow(pipeline[i++].$match, '$match'))
  const filter: Document = filters.length === 1 ? filters[0] : filters.length === 0 ? {} : { $and: filters }
  let sort: Document | undefined
  if (pipeline[i] && '$sort' in pipeline[i]) {
    const spec = objectOrThrow(pipeline[i].$sort, '$sort')
    // An empty spec or $meta sort is left to the pipeline (which reports or handles it).
    const plain = Object.keys(spec).length > 0 && Object.values(spec).every((d) => d === 1 || d === -1)
    if (!plain) return { filter, options: {}, limit: null, stages: i }
    sort = spec
    i++
  }
  let skip = 0
  let limit: number | null = null
  for (; pipeline[i]; i++) {
    const [name] = Object.keys(pipeline[i])
    const value = pipeline[i][name]
    if ((name !== '$skip' && name !== '$limit') || !Number.isInteger(value) || value < 0) break
    if (name === '$limit' && value === 0) break // an error in MongoDB: left to the pipeline to report
    if (name === '$skip') {
      skip += value
      if (limit !== null) limit = Math.max(0, limit - value)
    } else limit = limit === null ? value : Math.min(limit, value)
  }
  return { filter, options: { sort, skip, limit: limit ?? undefined }, limit, stages: i }
}

function aggregate(ctx: CommandContext): Document {
  if (ctx.cmd.explain)
    throw commandError(ErrorCodes.NotImplemented, 'use the explain command for aggregate explain')
  const cursor = ctx.cmd.cursor
  if (!cursor || typeof cursor !== 'object') {
    throw commandError(
      ErrorCodes.FailedToParse,
      "The 'cursor' option is required, except for aggregate with the explain argument"
    )
  }
  const { docs } = executeAggregate(ctx)
  const batchSize =
    (cursor as Document).batchSize === undefined
      ? 101
      : numberArg({ ...ctx, cmd: cursor as Document, name: 'cursor' }, 'batchSize', 101)
  const ns = `${ctx.db}.${ctx.cmd.aggregate === 1 ? '$cmd.aggregate' : ctx.cmd.aggregate}`
  return ctx.engine.cursors.open(ns, docs, batchSize, ctx.session?.id ?? null)
}

export const aggregateCommands: Record<string, CommandSpec> = {
  aggregate: {
    run: aggregate,
    fields: [
      'pipeline',
      'cursor',
      'explain',
      'allowDiskUse',
      'bypassDocumentValidation',
      'collation',
      'hint',
      'let'
    ],
    inTransaction: true
  }
}
