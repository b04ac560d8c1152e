// `lead.created` for a paid masterclass issues the lead's invoice (once per lead); free masterclasses
// and leads without a masterclass are skipped with a log line, nothing else.
import type { DomainEvent, EventHandlerContext, PluginSubscriber } from '@masterstage/core'
import type { LeadCreatedExpected } from '../contract.ts'
import { issueInvoice } from '../domain/issue-invoice.ts'
import type { PaymentsRuntime } from '../runtime.ts'

/** What the masterclasses plugin's service answers (read through the app, never imported). */
interface MasterclassPriceView {
  title: string
  price?: { amount: number; currency: string }
}

export function invoiceOnLeadSubscriber(runtime: () => PaymentsRuntime): PluginSubscriber<any> {
  return {
    event: 'lead.created',
    name: 'payments.invoice-on-lead',
    handle: (event: DomainEvent<any>, handler: EventHandlerContext) =>
      issueForLead(runtime(), event.payload as LeadCreatedExpected, event.id, handler)
  }
}

export async function issueForLead(
  runtime: PaymentsRuntime,
  lead: LeadCreatedExpected,
  causationId: string,
  handler: Pick<EventHandlerContext, 'logger'>
): Promise<void> {
  const price = await priceOf(runtime, lead)
  if (!price || price.amountMinor <= 0) {
    handler.logger.info(
      { leadId: lead.leadId, masterclassId: lead.masterclassId },
      'no invoice: free or no masterclass'
    )
    return
  }
  await issueInvoice(runtime, {
    dedupeKey: `lead:${lead.leadId}`,
    leadId: lead.leadId,
    customer: { name: lead.name?.trim() || lead.email, email: lead.email },
    lineItems: [{ description: price.title, quantity: 1, unitAmountMinor: price.amountMinor }],
    currency: price.currency,
    causationId
  })
}

async function priceOf(
  runtime: PaymentsRuntime,
  lead: LeadCreatedExpected
): Promise<{ title: string; amountMinor: number; currency: string } | null> {
  if (typeof lead.priceMinor === 'number') {
    return {
      title: lead.masterclassTitle ?? 'Masterclass',
      amountMinor: lead.priceMinor,
      currency: (lead.currency ?? 'usd').toLowerCase()
    }
  }
  if (!lead.masterclassId) return null
  const service = (runtime.ctx.app as any).services?.['masterclasses/masterclasses']
    ? runtime.ctx.app.service('masterclasses/masterclasses' as any)
    : null
  if (!service) return null
  const masterclass = (await (service as any).get(lead.masterclassId)) as MasterclassPriceView
  if (!masterclass.price) return null
  return {
    title: masterclass.title,
    amountMinor: masterclass.price.amount,
    currency: masterclass.price.currency.toLowerCase()
  }
}
