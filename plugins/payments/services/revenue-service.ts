// The dashboard's revenue widget: paid, refunded, net and platform fees per currency over a period.
import type { MasterstageParams } from '@masterstage/core'
import { validationError } from '@masterstage/core'
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
    const rows = await this.runtime().models.payments.aggregate([
      {
        $match: {
          status: { $in: ['succeeded', 'partially_refunded', 'refunded'] },
          succeededAt: { $gte: since }
        }
      },
      {
        $group: {
          _id: '$currency',
          payments: { $sum: 1 },
          paidMinor: { $sum: '$amountMinor' },
          refundedMinor: { $sum: '$amountRefundedMinor' },
          feesMinor: { $sum: '$applicationFeeMinor' }
        }
      }
    ])
    return {
      days,
      since: since.toISOString(),
      currencies: rows.map((row: any) => ({
        currency: row._id,
        payments: row.payments,
        paidMinor: row.paidMinor,
        refundedMinor: row.refundedMinor,
        netMinor: row.paidMinor - row.refundedMinor,
        feesMinor: row.feesMinor
      }))
    }
  }
}
