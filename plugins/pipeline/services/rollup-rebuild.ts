// Recomputes a tenant's metrics rollups from its leads, history and revenue entries (after an import, a
// restore, or a suspected drift): streams each collection once, sums the contributions in memory (one
// entry per rollup document, not per source document), replaces the rollups and marks every lead and
// revenue entry as counted. Run it while the tenant is quiet: changes landing mid-rebuild may be missed
// (running it again fixes them). Runs in the caller's tenant scope, like every data access.
import {
  type Increment,
  type LeadCount,
  leadCountChange,
  leadCountOf,
  revenueIncrements,
  stageIncrements,
  sumIncrements
} from '../domain/rollup-slots.ts'
import type { PipelineModels } from '../models/pipeline-models.ts'

/** The plugin job that runs the rebuild for the tenant it is queued for. */
export const REBUILD_ROLLUPS_JOB = 'rebuild-metrics-rollups'

export interface RebuildProgress {
  phase: 'leads' | 'history' | 'revenue' | 'write'
  done: number
  total: number
}

export interface RebuildResult {
  leads: number
  history: number
  revenue: number
  rollups: number
}

const BATCH = 5000

/** A rollup document from summed increments: dotted counters (`n.NEW`) become nested fields. */
function rollupDocument({ slot, inc }: Increment): Record<string, unknown> {
  const doc: Record<string, any> = { ...slot }
  for (const [path, value] of Object.entries(inc)) {
    const [field, sub] = path.split('.')
    if (sub === undefined) doc[field] = value
    else doc[field] = { ...doc[field], [sub]: value }
  }
  return doc
}

async function scan(
  cursor: AsyncIterable<any>,
  total: number,
  phase: RebuildProgress['phase'],
  contribute: (doc: any) => Increment[],
  into: Map<string, Increment>,
  onProgress: (progress: RebuildProgress) => void
): Promise<number> {
  let done = 0
  for await (const doc of cursor) {
    sumIncrements(contribute(doc), into)
    if (++done % BATCH === 0) onProgress({ phase, done, total })
  }
  onProgress({ phase, done, total })
  return done
}

export async function rebuildRollups(
  models: PipelineModels,
  onProgress: (progress: RebuildProgress) => void = () => {}
): Promise<RebuildResult> {
  const { Lead, History, Revenue, Rollup } = models
  const [leadTotal, historyTotal, revenueTotal] = await Promise.all([
    Lead.countDocuments({}),
    History.countDocuments({}),
    Revenue.countDocuments({})
  ])
  const slots = new Map<string, Increment>()
  const leadCounts = new Map<string, LeadCount>()
  const amounts = new Set<number>()
  const leadFields = { createdAt: 1, source: 1, masterclassId: 1, assignedToId: 1, status: 1, funnelRank: 1 }
  const historyFields = { from: 1, at: 1, durationMs: 1, utmSource: 1, masterclassId: 1, assignedToId: 1 }
  const revenueFields = {
    at: 1,
    currency: 1,
    amountMinor: 1,
    utmSource: 1,
    masterclassId: 1,
    assignedToId: 1
  }
  const leads = await scan(
    Lead.find({}, leadFields).lean().cursor({ batchSize: BATCH }),
    leadTotal,
    'leads',
    (lead) => {
      const count = leadCountOf(lead)
      leadCounts.set(`${count.status}|${count.funnelRank}|${count.rep}`, count)
      return leadCountChange(lead, null, count)
    },
    slots,
    onProgress
  )
  const history = await scan(
    History.find({}, historyFields).lean().cursor({ batchSize: BATCH }),
    historyTotal,
    'history',
    (entry) => stageIncrements(entry),
    slots,
    onProgress
  )
  const revenue = await scan(
    Revenue.find({}, revenueFields).lean().cursor({ batchSize: BATCH }),
    revenueTotal,
    'revenue',
    (entry) => {
      amounts.add(entry.amountMinor)
      return revenueIncrements(entry, entry.amountMinor)
    },
    slots,
    onProgress
  )
  const documents = [...slots.values()].map(rollupDocument)
  await Rollup.deleteMany({})
  for (let start = 0; start < documents.length; start += BATCH) {
    await Rollup.insertMany(documents.slice(start, start + BATCH), { ordered: false })
    onProgress({ phase: 'write', done: Math.min(start + BATCH, documents.length), total: documents.length })
  }
  // What was just summed is what each document now counts as: one update per distinct value (pipeline
  // updates are refused on tenant-scoped models, and there are few statuses × ranks × owners or amounts).
  for (const count of leadCounts.values()) {
    await Lead.updateMany(
      { status: count.status, funnelRank: count.funnelRank, assignedToId: count.rep },
      { $set: { countedAs: count } },
      { timestamps: false }
    )
  }
  for (const amountMinor of amounts) {
    await Revenue.updateMany({ amountMinor }, { $set: { countedMinor: amountMinor } })
  }
  return { leads, history, revenue, rollups: documents.length }
}
