// Typed calls of the payments services for the plugin's Svelte components: one place that knows the
// paths and what each answers (ui-types.ts), so components hold no `any` and no path strings.
import type { MasterstageClient } from '@masterstage/core/client'
import { PaymentsServicePath } from './contract.ts'
import type {
  ConnectStatusView,
  InvoicePage,
  InvoiceView,
  MyInvoiceView,
  Page,
  PaymentView,
  RevenueView,
  WebhookEventView
} from './ui-types.ts'

interface StandardService {
  find(params?: { query?: Record<string, unknown> }): Promise<unknown>
  get(id: string): Promise<unknown>
  create(data: Record<string, unknown>): Promise<unknown>
}

// The payments services are not in the app-wide ServiceTypes (the apps do not import plugin server code).
function service(client: MasterstageClient, path: string): StandardService {
  return (client as unknown as { service(path: string): StandardService }).service(path)
}

export function paymentsApi(client: MasterstageClient) {
  return {
    invoices: (query: Record<string, unknown>) =>
      service(client, PaymentsServicePath.invoices).find({ query }) as Promise<InvoicePage>,
    invoice: (id: string) => service(client, PaymentsServicePath.invoices).get(id) as Promise<InvoiceView>,
    payments: (query: Record<string, unknown>) =>
      service(client, PaymentsServicePath.payments).find({ query }) as Promise<Page<PaymentView>>,
    createInvoice: (input: {
      customer: { name: string; email: string }
      lineItems: { description: string; quantity: number; unitAmountMinor: number }[]
      currency?: string
      leadId?: string
      idempotencyKey: string
    }) => service(client, PaymentsServicePath.invoices).create(input) as Promise<InvoiceView>,
    remind: (invoiceId: string, idempotencyKey: string) =>
      service(client, PaymentsServicePath.invoiceReminders).create({ invoiceId, idempotencyKey }) as Promise<{
        resent: boolean
      }>,
    refund: (input: { paymentId: string; amountMinor?: number; idempotencyKey: string }) =>
      service(client, PaymentsServicePath.refunds).create(input) as Promise<{
        refundId: string
        amountMinor: number
      }>,
    webhookEvents: (query: Record<string, unknown>) =>
      service(client, PaymentsServicePath.webhookEvents).find({ query }) as Promise<Page<WebhookEventView>>,
    replayWebhookEvent: (id: string) =>
      service(client, PaymentsServicePath.webhookEventReplays).create({ id }) as Promise<WebhookEventView>,
    connectStatus: () => service(client, PaymentsServicePath.connect).find() as Promise<ConnectStatusView>,
    connect: () =>
      service(client, PaymentsServicePath.connect).create({}) as Promise<{ onboardingUrl: string }>,
    revenue: (days: number) =>
      service(client, PaymentsServicePath.revenue).find({ query: { days } }) as Promise<RevenueView>,
    myInvoices: () => service(client, PaymentsServicePath.myDocuments).find() as Promise<MyInvoiceView[]>,
    checkout: (invoiceId: string, token: string | undefined) =>
      service(client, PaymentsServicePath.checkout).create({ invoiceId, token }) as Promise<{
        checkoutUrl: string
        paymentId: string
      }>
  }
}

/** The message of a failed call as people should read it (first field error, else the message). */
export function failureMessage(error: unknown, fallback: string): string {
  const failure = error as { message?: string; errors?: { message?: string }[] } | null
  return failure?.errors?.[0]?.message ?? failure?.message ?? fallback
}
