// The pay link's endpoint: opens the hosted payment for an invoice of the request's tenant. Public
// (the lead has no account yet) but gated by the invoice's pay token; staff may open it without.
import type { MasterstageParams } from '@masterstage/core'
import { validationError } from '@masterstage/core'
import { startCheckout } from '../domain/start-checkout.ts'
import type { PaymentsRuntime } from '../runtime.ts'

export interface CheckoutData {
  invoiceId: string
  token?: string
}

export class CheckoutService {
  readonly runtime: () => PaymentsRuntime

  constructor(runtime: () => PaymentsRuntime) {
    this.runtime = runtime
  }

  async create(data: CheckoutData, params: MasterstageParams) {
    const errors = []
    if (typeof data?.invoiceId !== 'string' || data.invoiceId.length > 64 || data.invoiceId === '')
      errors.push({ path: 'invoiceId', message: 'is required' })
    if (data?.token !== undefined && (typeof data.token !== 'string' || data.token.length > 128))
      errors.push({ path: 'token', message: 'must be the token of the pay link' })
    if (errors.length) throw validationError('Invalid checkout request', errors)
    const role = params.user?.role
    const authorized = role === 'host' || role === 'agency_admin' || role === 'platform_admin'
    const result = await startCheckout(this.runtime(), {
      invoiceId: data.invoiceId,
      payToken: data.token,
      authorized
    })
    return { paymentId: result.paymentId, checkoutUrl: result.checkoutUrl }
  }
}
