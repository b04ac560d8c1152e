// Books revenue from payment events: one entry per payment and one (cumulative) per refund, keyed so a
// replayed or reordered event changes nothing; the lead's paidMinor is recomputed from the entries.
import type { PipelineModels } from '../models/pipeline-models.ts'
import { syncRevenueCount } from './rollup-writer.ts'

export interface RevenueBooking {
  key: string
  amountMinor: number
  currency: string
  at: Date
}

export async function bookRevenue(models: PipelineModels, lead: any, booking: RevenueBooking): Promise<void> {
  const { Revenue, Lead } = models
  const leadId = String(lead._id)
  const isRefund = booking.amountMinor < 0
  await Revenue.updateOne(
    { key: booking.key },
    {
      $setOnInsert: {
        leadId,
        currency: booking.currency,
        at: booking.at,
        masterclassId: lead.masterclassId,
        utmSource: lead.source?.utmSource,
        assignedToId: lead.assignedToId,
        ...(!isRefund && { amountMinor: booking.amountMinor })
      },
      // Refund events carry the cumulative amount and may arrive out of order: keep the largest.
      ...(isRefund && { $min: { amountMinor: booking.amountMinor } })
    },
    { upsert: true }
  )
  await syncRevenueCount(models, booking.key)
  const [sum] = await Revenue.aggregate([
    { $match: { leadId } },
    { $group: { _id: null, total: { $sum: '$amountMinor' } } }
  ])
  await Lead.updateOne(
    { _id: lead._id },
    { $set: { paidMinor: sum?.total ?? 0, currency: booking.currency } }
  )
}

/** Refuses nonsense amounts from a misbehaving producer instead of corrupting revenue. */
export function isAmount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
}
