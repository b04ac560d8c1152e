// Issues an invoice: the next number of the tenant's series, the invoice and its `invoice.issued`
// event are written in one transaction, so numbers are unique and gapless and the event is never lost.
import { randomBytes, randomUUID } from 'node:crypto'
import { currentScope, type FieldError, isDuplicateKeyError, validationError } from '@masterstage/core'
import type { Invoice, InvoiceLineItem } from '../models/invoice-model.ts'
import type { PaymentsRuntime } from '../runtime.ts'

export interface IssueInvoiceInput {
  /** Idempotency: the same key returns the already issued invoice (`lead:<id>` or a client key). */
  dedupeKey: string
  leadId?: string
  customer: { name: string; email: string; userId?: string }
  lineItems: { description: string; quantity: number; unitAmountMinor: number }[]
  currency?: string
  causationId?: string
}

export interface IssueInvoiceResult {
  invoice: Invoice
  created: boolean
}

const EMAIL = /^[^\s@<>]+@[^\s@<>]+$/

export function validateIssueInput(input: IssueInvoiceInput): void {
  const errors: FieldError[] = []
  if (typeof input.customer?.email !== 'string' || !EMAIL.test(input.customer.email)) {
    errors.push({ path: 'customer.email', message: 'must be an email address' })
  }
  if (typeof input.customer?.name !== 'string' || input.customer.name.trim() === '') {
    errors.push({ path: 'customer.name', message: 'is required' })
  }
  if (!Array.isArray(input.lineItems) || input.lineItems.length === 0 || input.lineItems.length > 50) {
    errors.push({ path: 'lineItems', message: 'must list 1 to 50 items' })
  } else {
    input.lineItems.forEach((item, index) => {
      if (
        typeof item?.description !== 'string' ||
        item.description.trim() === '' ||
        item.description.length > 200
      ) {
        errors.push({
          path: `lineItems.${index}.description`,
          message: 'is required (at most 200 characters)'
        })
      }
      if (!Number.isInteger(item?.quantity) || item.quantity < 1 || item.quantity > 1000) {
        errors.push({ path: `lineItems.${index}.quantity`, message: 'must be an integer from 1 to 1000' })
      }
      if (
        !Number.isInteger(item?.unitAmountMinor) ||
        item.unitAmountMinor < 0 ||
        item.unitAmountMinor > 100_000_000
      ) {
        errors.push({
          path: `lineItems.${index}.unitAmountMinor`,
          message: 'must be a non-negative integer in minor units'
        })
      }
    })
  }
  if (input.currency !== undefined && !/^[a-z]{3}$/.test(input.currency)) {
    errors.push({ path: 'currency', message: 'must be a lower-case ISO 4217 code, e.g. "usd"' })
  }
  if (errors.length) throw validationError('Invalid invoice', errors)
}

/** Runs in the tenant's scope (request or system). */
export async function issueInvoice(
  runtime: PaymentsRuntime,
  input: IssueInvoiceInput
): Promise<IssueInvoiceResult> {
  validateIssueInput(input)
  const tenantId = currentScope()?.tenantId
  if (!tenantId) throw new Error('issueInvoice needs a tenant scope')
  const { invoices, counters } = runtime.models
  const existing = await invoices.findOne({ dedupeKey: input.dedupeKey }).select('+payToken').lean()
  if (existing) return { invoice: existing as Invoice, created: false }

  const [settings, profile] = await Promise.all([runtime.settings(tenantId), runtime.profile(tenantId)])
  const series = settings.invoicePrefix
  const lineItems: InvoiceLineItem[] = input.lineItems.map((item) => ({
    description: item.description.trim(),
    quantity: item.quantity,
    unitAmountMinor: item.unitAmountMinor,
    amountMinor: item.quantity * item.unitAmountMinor
  }))
  const totalMinor = lineItems.reduce((sum, item) => sum + item.amountMinor, 0)
  if (totalMinor <= 0)
    throw validationError('Invalid invoice', [{ path: 'lineItems', message: 'total must be positive' }])

  // The counter exists before any transaction: concurrent first issues must not race on its upsert.
  await counters
    .updateOne({ series }, { $setOnInsert: { last: 0 } }, { upsert: true })
    .catch((error: unknown) => {
      if (!isDuplicateKeyError(error)) throw error
    })

  const invoiceId = randomUUID()
  const issuedAt = new Date()
  const payToken = randomBytes(24).toString('base64url')
  try {
    const invoice = await runtime.connection.transaction(async (session) => {
      const counter = await counters
        .findOneAndUpdate({ series }, { $inc: { last: 1 } }, { returnDocument: 'after', session })
        .lean()
      if (!counter) throw new Error(`invoice counter ${series} vanished`)
      const number = `${series}-${String(counter.last).padStart(6, '0')}`
      const document: Omit<Invoice, 'tenantId'> = {
        _id: invoiceId,
        number,
        series,
        sequence: counter.last,
        status: 'open',
        dedupeKey: input.dedupeKey,
        leadId: input.leadId,
        customer: {
          name: input.customer.name.trim(),
          email: input.customer.email.trim().toLowerCase(),
          userId: input.customer.userId
        },
        lineItems,
        currency: input.currency ?? settings.currency,
        subtotalMinor: totalMinor,
        totalMinor,
        amountPaidMinor: 0,
        amountRefundedMinor: 0,
        issuer: {
          legalName: profile.legalName,
          address: profile.legalAddress,
          taxId: profile.taxId,
          email: profile.billingEmail
        },
        brand: { name: profile.name, primaryColor: profile.primaryColor },
        payToken,
        disputed: false,
        issuedAt,
        dueAt: new Date(issuedAt.getTime() + settings.paymentTermsDays * 86_400_000),
        documentVersion: 1
      }
      await invoices.create([document], { session })
      await runtime.ctx.events.emit(
        'invoice.issued',
        {
          invoiceId,
          invoiceNumber: number,
          leadId: input.leadId,
          customerEmail: document.customer.email,
          customerName: document.customer.name,
          totalMinor,
          currency: document.currency,
          payUrl: runtime.links.payUrl(profile, { _id: invoiceId, payToken }),
          invoiceUrl: runtime.links.documentUrl(tenantId, invoiceId, 'invoice')
        },
        { id: `invoice.issued:${invoiceId}`, tenantId, session, causationId: input.causationId }
      )
      return { ...document, tenantId } as Invoice
    })
    runtime.ctx.logger.info({ tenantId, invoiceId, number: invoice.number }, 'invoice issued')
    return { invoice, created: true }
  } catch (error) {
    // A concurrent issue with the same dedupe key won; its transaction rolled ours back (no gap).
    if (isDuplicateKeyError(error)) {
      const winner = await invoices.findOne({ dedupeKey: input.dedupeKey }).select('+payToken').lean()
      if (winner) return { invoice: winner as Invoice, created: false }
    }
    throw error
  }
}
