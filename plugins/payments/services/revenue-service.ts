// The dashboard's revenue widget: paid, refunded, net and platform fees per currency over a period.
import type { MasterstageParams } from '@masterstage/core'
import { trusted, validationError } from '@masterstage/core'
import type { PaymentsRuntime } from '../runtime.ts'
import { assertQueryKeys } from './service-params.ts'

export class RevenueService {
  readonly runtime: () => PaymentsRuntime

  constructor(runtime: () => PaymentsRuntime) {
    this.runtime = runtime
  }

  async find(params: MasterstageParams) {
    const query = assertQueryKeys(params, ['days'])
    const days = query.days === undefined ? 30 : Number(query.days)
    if (!Number.isInteger(days) || days < 1 || days > 366)
      throw validationError('Invalid query', [{ path: 'days', message: 'must be an integer from 1 to 366' }])
    const since = new Date(Date.now() - days * 86_400_000)
    const match = {
      status: { $in: ['succeeded', 'partially_refunded', 'refunded'] },
      succeededAt: { $gte: since }
    }
    const { payments } = this.runtime().models
    const [rows, recent] = await Promise.all([
      payments.aggregate([
        { $match: match },
        {
          $group: {
            _id: '$currency',
            payments: { $sum: 1 },
            paidMinor: { $sum: '$amountMinor' },
            refundedMinor: { $sum: '$amountRefundedMinor' },
            feesMinor: { $sum: '$applicationFeeMinor' }
          }
        }
      ]),
      // The chart's series: bucketed here because the engines differ in date operators; bounded.
      payments
        .find({
          status: trusted({ $in: match.status.$in }),
          succeededAt: trusted({ $gte: since })
        } as Record<string, unknown>)
        .select({ currency: 1, amountMinor: 1, amountRefundedMinor: 1, succeededAt: 1 })
        .limit(MAX_SERIES_PAYMENTS)
        .lean()
    ])
    const daily = dailySeries(recent as SeriesPayment[], since, days)
    return {
      days,
      since: since.toISOString(),
      currencies: rows.map((row: any) => ({
        currency: row._id,
        payments: row.payments,
        paidMinor: row.paidMinor,
        refundedMinor: row.refundedMinor,
        netMinor: row.paidMinor - row.refundedMinor,
        feesMinor: row.feesMinor,
        daily: daily(row._id)
      }))
    }
  }
}

const MAX_SERIES_PAYMENTS = 20_000

interface SeriesPayment {
  currency: string
  amountMinor: number
  amountRefundedMinor?: number
  succeededAt: Date
}

/** Net (paid − refunded) per UTC day of the period for one currency, zero-filled, oldest first. */
export function dailySeries(payments: readonly SeriesPayment[], since: Date, days: number) {
  const firstDay = Date.UTC(since.getUTCFullYear(), since.getUTCMonth(), since.getUTCDate())
  const keys = Array.from({ length: days + 1 }, (_, index) =>
    new Date(firstDay + index * 86_400_000).toISOString().slice(0, 10)
  )
  return (currency: string) => {
    const net = new Map(keys.map((key) => [key, 0]))
    for (const payment of payments) {
      if (payment.currency !== currency) continue
      const key = new Date(payment.succeededAt).toISOString().slice(0, 10)
      if (net.has(key)) net.set(key, net.get(key)! + payment.amountMinor - (payment.amountRefundedMinor ?? 0))
    }
    return keys.map((day) => ({ day, netMinor: net.get(day)! }))
  }
}
