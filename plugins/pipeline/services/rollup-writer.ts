// Keeps the metrics rollups in step with their sources, exactly once per change:
// - a history entry and its stage counters are written in one transaction (a replayed transition hits the
//   entry's unique cause key and changes nothing);
// - a lead or revenue entry carries what it is counted as (`countedAs`, `countedMinor`); syncing applies
//   the difference to the rollups and stores the new value in one transaction, so running it twice, late,
//   out of order or concurrently (write conflicts retry) still counts each lead once.
import type { ClientSession } from 'mongoose'
import {
  type Increment,
  leadCountChange,
  leadCountOf,
  revenueIncrements,
  type Slot,
  sameLeadCount,
  stageIncrements,
  sumIncrements
} from '../domain/rollup-slots.ts'
import type { PipelineModels } from '../models/pipeline-models.ts'

const MAX_ATTEMPTS = 6

function duplicateKeyOn(error: unknown, field: string): boolean {
  const e = error as { code?: number; keyPattern?: Record<string, unknown>; message?: string }
  if (e?.code !== 11000) return false
  return e.keyPattern ? field in e.keyPattern : String(e.message).includes(field)
}

/** A transaction found rollup documents missing: they are created outside it, then it runs again. */
class MissingSlots extends Error {
  readonly slots: Slot[]

  constructor(slots: Slot[]) {
    super('rollup documents missing')
    this.slots = slots
  }
}

/**
 * Runs `work` in a transaction (the driver retries transient errors). Rollup documents are only updated
 * inside transactions, never created: a transaction's snapshot cannot see a document created after it
 * began (so an update would silently match nothing), and the embedded devdb merged concurrent
 * transactional upserts. Missing ones abort the transaction, are created (empty) outside it, and it
 * runs again.
 */
async function inTransaction<T>(models: PipelineModels, work: (session: ClientSession) => Promise<T>) {
  for (let attempt = 1; ; attempt++) {
    try {
      let result: T
      await models.Rollup.db.transaction(async (session) => {
        result = await work(session)
      })
      return result!
    } catch (error) {
      if (!(error instanceof MissingSlots) || attempt >= MAX_ATTEMPTS) throw error
      await ensureSlots(models, error.slots)
    }
  }
}

export async function applyIncrements(
  models: PipelineModels,
  increments: Increment[],
  session?: ClientSession
): Promise<void> {
  const changes = [...sumIncrements(increments).values()].flatMap(({ slot, inc }) => {
    const nonZero = Object.fromEntries(Object.entries(inc).filter(([, value]) => value !== 0))
    return Object.keys(nonZero).length === 0 ? [] : [{ slot, inc: nonZero }]
  })
  if (changes.length === 0) return
  if (!session)
    await ensureSlots(
      models,
      changes.map(({ slot }) => slot)
    )
  const operations = changes.map(({ slot, inc }) => ({
    updateOne: { filter: { ...slot }, update: { $inc: inc } }
  }))
  const result = await models.Rollup.bulkWrite(operations as any, {
    ordered: true,
    ...(session && { session })
  })
  if (result.matchedCount !== operations.length) throw new MissingSlots(changes.map(({ slot }) => slot))
}

/** Creates missing rollup documents, empty (they count nothing), outside any transaction. */
async function ensureSlots(models: PipelineModels, slots: Slot[]): Promise<void> {
  const operations = slots.map((slot) => ({
    updateOne: { filter: { ...slot }, update: { $setOnInsert: { day: slot.day } }, upsert: true }
  }))
  try {
    await models.Rollup.bulkWrite(operations as any, { ordered: false })
  } catch (error) {
    // Another writer created some of them first: they exist, which is all we need.
    const writeErrors = (error as { writeErrors?: { code?: number }[] }).writeErrors
    if (!writeErrors?.every((e) => e.code === 11000) && !duplicateKeyOn(error, 'kind')) throw error
  }
}

/** Records a history entry and its stage counters; false when the entry was already recorded. */
export async function recordHistory(models: PipelineModels, entry: Record<string, any>): Promise<boolean> {
  try {
    await inTransaction(models, async (session) => {
      await models.History.create([entry], { session })
      await applyIncrements(models, stageIncrements(entry as any), session)
    })
    return true
  } catch (error) {
    if (duplicateKeyOn(error, 'causeId')) return false
    throw error
  }
}

/** Brings the lead's rollup contribution to its current status, funnel rank and owner. */
export async function syncLeadCount(models: PipelineModels, leadId: unknown): Promise<void> {
  await inTransaction(models, async (session) => {
    const lead: any = await models.Lead.findOne({ _id: leadId }).session(session).lean()
    if (!lead) return
    const now = leadCountOf(lead)
    if (sameLeadCount(lead.countedAs, now)) return
    await applyIncrements(models, leadCountChange(lead, lead.countedAs, now), session)
    await models.Lead.updateOne(
      { _id: lead._id },
      { $set: { countedAs: now } },
      { session, timestamps: false }
    )
  })
}

/** Books the difference between a revenue entry's amount and what the rollups hold for it. */
export async function syncRevenueCount(models: PipelineModels, key: string): Promise<void> {
  await inTransaction(models, async (session) => {
    const entry: any = await models.Revenue.findOne({ key }).session(session).lean()
    if (!entry) return
    const difference = entry.amountMinor - (entry.countedMinor ?? 0)
    if (difference === 0) return
    await applyIncrements(models, revenueIncrements(entry, difference), session)
    await models.Revenue.updateOne(
      { _id: entry._id },
      { $set: { countedMinor: entry.amountMinor } },
      { session }
    )
  })
}
