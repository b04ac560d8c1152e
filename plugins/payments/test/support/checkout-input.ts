// Test support: the checkout session input of the provider tests, one masterclass bought by a lead, with
// return URLs on a test host; each test states its amounts and ids.
import type { CreateCheckoutSessionInput } from '../../providers/payment-provider.ts'

export function masterclassCheckout(
  accountId: string,
  sale: Pick<CreateCheckoutSessionInput, 'currency' | 'applicationFeeMinor' | 'metadata'> & {
    unitAmountMinor: number
  }
): CreateCheckoutSessionInput {
  return {
    accountId,
    currency: sale.currency,
    lineItems: [{ description: 'Masterclass', quantity: 1, unitAmountMinor: sale.unitAmountMinor }],
    applicationFeeMinor: sale.applicationFeeMinor,
    customerEmail: 'lead@example.com',
    successUrl: 'http://t.localhost/ok',
    cancelUrl: 'http://t.localhost/no',
    metadata: sale.metadata
  }
}
