// The plugin's model definitions as the manifest declares them (tenant-scoped unless said otherwise).
import type { PluginModelDefinition } from '@masterstage/core'
import { SANDBOX_MODEL, sandboxObjectSchema } from '../providers/sandbox/sandbox-model.ts'
import { ACCOUNT_ROUTE_MODEL, accountRouteSchema } from './account-route-model.ts'
import { CONNECTED_ACCOUNT_MODEL, connectedAccountSchema } from './connected-account-model.ts'
import { DOCUMENT_MODEL, documentSchema } from './document-model.ts'
import { INVOICE_COUNTER_MODEL, invoiceCounterSchema } from './invoice-counter-model.ts'
import { INVOICE_MODEL, invoiceSchema } from './invoice-model.ts'
import { PAYMENT_MODEL, paymentSchema } from './payment-model.ts'
import { WEBHOOK_EVENT_MODEL, webhookEventSchema } from './webhook-event-model.ts'

export const paymentsModels: readonly PluginModelDefinition[] = [
  { name: INVOICE_COUNTER_MODEL, schema: invoiceCounterSchema },
  { name: INVOICE_MODEL, schema: invoiceSchema },
  { name: PAYMENT_MODEL, schema: paymentSchema },
  { name: CONNECTED_ACCOUNT_MODEL, schema: connectedAccountSchema },
  { name: DOCUMENT_MODEL, schema: documentSchema },
  // Platform-level: written before the tenant is known (webhooks) or shared by all tenants (sandbox).
  { name: ACCOUNT_ROUTE_MODEL, schema: accountRouteSchema, tenantScoped: false },
  { name: WEBHOOK_EVENT_MODEL, schema: webhookEventSchema, tenantScoped: false },
  { name: SANDBOX_MODEL, schema: sandboxObjectSchema, tenantScoped: false }
]
