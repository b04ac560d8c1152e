// Invoices for a lead's paid masterclasses, one per (lead, masterclass): `lead.created` invoices the
// first masterclass; `lead.updated` (a repeated registration, possibly for another masterclass) invoices
// every paid masterclass of the lead not invoiced yet. The pipeline's `lead.updated` carries the lead's
// first masterclass only (`masterclassId` is set on insert), so the lead's `masterclassIds` are read
// from the pipeline's leads service. Free, unknown or deleted masterclasses are skipped with a log line.
import type { DomainEvent, EventHandlerContext, PluginSubscriber } from '@masterstage/core'
import { trusted } from '@masterstage/core'
import type { LeadCreatedExpected } from '../contract.ts'
import { issueInvoice } from '../domain/issue-invoice.ts'
import type { PaymentsRuntime } from '../runtime.ts'

/** What the masterclasses plugin's service answers (read through the app, never imported). */
interface MasterclassPriceView {
  title: string
  price?: { amount: number; currency: string }
}

/** The fields of the pipeline's `lead.updated` read here (declared by the pipeline's contract). */
interface LeadUpdatedExpected {
  leadId: string
  email: string
  masterclassId?: string
  changed?: string[]
}

/** The fields of the pipeline's lead view read here. */
interface LeadViewExpected {
  _id: string
  email: string
  name?: string
  masterclassId?: string
  masterclassIds?: string[]
}

/** Bounds the work of one event (a lead registering for dozens of masterclasses is not a real case). */
const MAX_MASTERCLASSES_PER_LEAD = 20

type Handler = Pick<EventHandlerContext, 'logger'>

export function invoiceOnLeadSubscriber(runtime: () => PaymentsRuntime): PluginSubscriber<any> {
  return {
    event: 'lead.created',
    name: 'payments.invoice-on-lead',
    handle: (event: DomainEvent<any>, handler: EventHandlerContext) =>
      issueForLead(runtime(), event.payload as LeadCreatedExpected, event.id, handler)
  }
}

export function invoiceOnLeadUpdateSubscriber(runtime: () => PaymentsRuntime): PluginSubscriber<any> {
  return {
    event: 'lead.updated',
    name: 'payments.invoice-on-lead-update',
    handle: (event: DomainEvent<any>, handler: EventHandlerContext) =>
      issueForLeadUpdate(runtime(), event.payload as LeadUpdatedExpected, event.id, handler)
  }
}

/**
 * The invoice of (lead, masterclass). The lead's first masterclass keeps the key `lead.created` always
 * used (`lead:<id>`), so both events agree on it whichever runs first; others get their own.
 */
export function leadDedupeKey(leadId: string, masterclassId: string | undefined, first?: string): string {
  return !masterclassId || masterclassId === first
    ? `lead:${leadId}`
    : `lead:${leadId}:masterclass:${masterclassId}`
}

export async function issueForLead(
  runtime: PaymentsRuntime,
  lead: LeadCreatedExpected,
  causationId: string,
  handler: Handler
): Promise<void> {
  const price = await priceOf(runtime, lead, handler)
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

export async function issueForLeadUpdate(
  runtime: PaymentsRuntime,
  update: LeadUpdatedExpected,
  causationId: string,
  handler: Handler
): Promise<void> {
  // Staff edits (notes, owner, tags) never add a masterclass; only registrations do.
  if (!update.masterclassId && !update.changed?.includes('registration')) return
  const lead = await leadOf(runtime, update.leadId)
  const first = lead?.masterclassId ?? update.masterclassId
  const masterclassIds = [
    ...new Set([...(lead?.masterclassIds ?? []), ...(update.masterclassId ? [update.masterclassId] : [])])
  ].slice(0, MAX_MASTERCLASSES_PER_LEAD)
  const wanted = new Map(masterclassIds.map((id) => [leadDedupeKey(update.leadId, id, first), id]))
  const issued = await runtime.models.invoices
    .find({ dedupeKey: trusted({ $in: [...wanted.keys()] }) })
    .select({ dedupeKey: 1 })
    .lean()
  for (const { dedupeKey } of issued as { dedupeKey: string }[]) wanted.delete(dedupeKey)
  for (const [dedupeKey, masterclassId] of wanted) {
    const price = await priceOf(
      runtime,
      { leadId: update.leadId, email: update.email, masterclassId },
      handler
    )
    if (!price || price.amountMinor <= 0) {
      handler.logger.info({ leadId: update.leadId, masterclassId }, 'no invoice: free masterclass')
      continue
    }
    const email = lead?.email ?? update.email
    await issueInvoice(runtime, {
      dedupeKey,
      leadId: update.leadId,
      customer: { name: lead?.name?.trim() || email, email },
      lineItems: [{ description: price.title, quantity: 1, unitAmountMinor: price.amountMinor }],
      currency: price.currency,
      causationId
    })
  }
}

async function leadOf(runtime: PaymentsRuntime, leadId: string): Promise<LeadViewExpected | null> {
  const app = runtime.ctx.app as any
  if (!app.services?.['pipeline/leads']) return null
  try {
    return (await app.service('pipeline/leads').get(leadId)) as LeadViewExpected
  } catch (error) {
    if (isNotFound(error)) return null
    throw error
  }
}

async function priceOf(
  runtime: PaymentsRuntime,
  lead: LeadCreatedExpected,
  handler: Handler
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
  let masterclass: MasterclassPriceView
  try {
    masterclass = (await (service as any).get(lead.masterclassId)) as MasterclassPriceView
  } catch (error) {
    // Unknown or deleted masterclass: retrying cannot make it appear, so there is nothing to invoice.
    if (!isNotFound(error)) throw error
    handler.logger.warn(
      { leadId: lead.leadId, masterclassId: lead.masterclassId },
      'no invoice: masterclass not found'
    )
    return null
  }
  if (!masterclass.price) return null
  return {
    title: masterclass.title,
    amountMinor: masterclass.price.amount,
    currency: masterclass.price.currency.toLowerCase()
  }
}

function isNotFound(error: unknown): boolean {
  const failure = error as { code?: unknown; name?: string; data?: { code?: string } } | null
  return failure?.code === 404 || failure?.name === 'NotFound' || failure?.data?.code === 'NOT_FOUND'
}
