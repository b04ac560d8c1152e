// The payments plugin manifest: invoices from leads, Stripe Connect checkout (or the offline sandbox),
// verified idempotent webhooks, receipts, refunds and disputes, reconciliation, dashboard/storefront UI.
import { definePlugin, type PluginContext, runAsSystem, STAFF_ROLES, validateBody } from '@masterstage/core'
import { rewrapAccountIds } from './domain/account-id-at-rest.ts'
import { type CheckoutFaults, startCheckout } from './domain/start-checkout.ts'
import { documentRoute } from './http/document-route.ts'
import { sandboxPageRoute } from './http/sandbox-page.ts'
import { reconcilePayments } from './jobs/reconcile-payments.ts'
import { paymentsModels } from './models/index.ts'
import { type PaymentsPlatformConfig, readPlatformConfig } from './platform-config.ts'
import { createRuntime, type PaymentsRuntime } from './runtime.ts'
import {
  checkoutBody,
  connectBody,
  invoiceBody,
  refundBody,
  replayBody,
  resendBody
} from './services/body-schemas.ts'
import { CheckoutService } from './services/checkout-service.ts'
import { ConnectService } from './services/connect-service.ts'
import { InvoiceRemindersService } from './services/invoice-reminders-service.ts'
import { InvoicesService } from './services/invoices-service.ts'
import { MyDocumentsService } from './services/my-documents-service.ts'
import { PaymentsService } from './services/payments-service.ts'
import { checkoutIpLimit } from './services/public-rate-limits.ts'
import { RefundsService } from './services/refunds-service.ts'
import { RevenueService } from './services/revenue-service.ts'
import { MONEY_ROLES } from './services/service-params.ts'
import { WebhookEventReplaysService, WebhookEventsService } from './services/webhook-events-service.ts'
import { paymentsSettingsSchema } from './settings.ts'
import { emailSubscribers } from './subscribers/emails.ts'
import { invoiceOnLeadSubscriber, invoiceOnLeadUpdateSubscriber } from './subscribers/invoice-on-lead.ts'
import { unappliedPaymentSubscribers } from './subscribers/unapplied-payments.ts'
import {
  PROCESS_WEBHOOK_JOB,
  PROCESS_WEBHOOKS_JOB,
  processStoredEvents
} from './webhooks/process-after-answer.ts'
import { processWebhookEvent } from './webhooks/process-webhook-event.ts'
import { receiveWebhook } from './webhooks/receive-webhook.ts'

export interface PaymentsPluginOptions {
  /** Platform config for tests and benches; otherwise the host reads it at boot (`platformConfig`). */
  platform?: PaymentsPlatformConfig
  /** Test seam for crash simulations. */
  faults?: CheckoutFaults
  /** Receives the runtime once set up (tests, bench). */
  onRuntime?: (runtime: PaymentsRuntime) => void
}

/** One manifest instance per app: the runtime it builds at setup belongs to that app. */
export function createPaymentsPlugin(options: PaymentsPluginOptions = {}) {
  let runtime: PaymentsRuntime | undefined
  const current = (): PaymentsRuntime => {
    if (!runtime) throw new Error('payments plugin used before setup')
    return runtime
  }

  return definePlugin({
    name: 'payments',
    version: '0.1.0',
    description: 'Invoices, Stripe Connect payments, confirmations and receipts',
    config: { settings: paymentsSettingsSchema },
    platformConfig: readPlatformConfig,
    models: paymentsModels,
    services: [
      {
        path: 'invoices',
        create: () => new InvoicesService(current),
        methods: ['find', 'get', 'create', 'resend'],
        access: { find: STAFF_ROLES, get: STAFF_ROLES, create: MONEY_ROLES, resend: STAFF_ROLES },
        hooks: {
          before: {
            create: [validateBody({ create: invoiceBody })],
            resend: [validateBody({ resend: resendBody })]
          }
        }
      },
      {
        path: 'invoice-reminders',
        create: () => new InvoiceRemindersService(current),
        methods: ['create'],
        access: { create: STAFF_ROLES },
        hooks: { before: { create: [validateBody({ create: resendBody })] } }
      },
      {
        path: 'payments',
        create: () => new PaymentsService(current),
        methods: ['find', 'get'],
        access: { find: STAFF_ROLES, get: STAFF_ROLES }
      },
      {
        path: 'checkout',
        create: () => new CheckoutService(current),
        methods: ['create'],
        access: { create: 'public' },
        // Every public method carries a per-IP limit (services/public-rate-limits.ts).
        hooks: {
          around: { create: [checkoutIpLimit] },
          before: { create: [validateBody({ create: checkoutBody })] }
        }
      },
      {
        path: 'connect',
        create: () => new ConnectService(current),
        methods: ['find', 'create'],
        access: { find: MONEY_ROLES, create: MONEY_ROLES },
        hooks: { before: { create: [validateBody({ create: connectBody })] } }
      },
      {
        path: 'refunds',
        create: () => new RefundsService(current),
        methods: ['create'],
        access: { create: MONEY_ROLES },
        hooks: { before: { create: [validateBody({ create: refundBody })] } }
      },
      {
        path: 'revenue',
        create: () => new RevenueService(current),
        methods: ['find'],
        access: { find: STAFF_ROLES }
      },
      {
        // Failed provider events (after the job's retries) for the tenant's money staff, and their replay.
        path: 'webhook-events',
        create: () => new WebhookEventsService(current),
        methods: ['find'],
        // Every staff member sees what failed (no payload); those who manage money replay it through
        // webhook-event-replays (a standard create, which every client can call).
        access: { find: STAFF_ROLES }
      },
      {
        path: 'webhook-event-replays',
        create: () => new WebhookEventReplaysService(current),
        methods: ['create'],
        access: { create: MONEY_ROLES },
        hooks: { before: { create: [validateBody({ create: replayBody })] } }
      },
      {
        path: 'my-documents',
        create: () => new MyDocumentsService(current),
        methods: ['find'],
        access: { find: 'authenticated' }
      }
    ],
    subscribers: [
      invoiceOnLeadSubscriber(current),
      invoiceOnLeadUpdateSubscriber(current),
      ...emailSubscribers(current),
      ...unappliedPaymentSubscribers(current)
    ],
    // After a key rotation: every tenant's connected account ids under the current key.
    rewrapSecrets: (ctx, pass) =>
      rewrapAccountIds(
        current().models.accounts,
        { secrets: current().secrets, derivedKey: ctx.secrets.derivedKey },
        pass
      ),
    jobs: [
      {
        name: PROCESS_WEBHOOK_JOB,
        attempts: 8,
        backoffMs: 2000,
        concurrency: 8,
        handle: (data: { eventId: string }) => processWebhookEvent(current(), data.eventId)
      },
      {
        name: PROCESS_WEBHOOKS_JOB,
        attempts: 8,
        backoffMs: 2000,
        concurrency: 4,
        handle: (data: { eventIds: string[] }) => processStoredEvents(current(), data.eventIds)
      },
      {
        name: 'reconcile',
        attempts: 3,
        backoffMs: 30_000,
        repeat: { cron: '*/10 * * * *', perTenant: true },
        handle: async () => void (await reconcilePayments(current()))
      }
    ],
    webhooks: [
      {
        method: 'POST',
        path: 'stripe',
        handle: (request) => receiveWebhook(current(), request),
        // Per sending IP: Stripe bursts from a handful of addresses (thousands of events a minute after an
        // outage); the limit only stops floods, and a refused event is retried by Stripe anyway.
        rateLimit: { points: 30_000, durationSeconds: 60 }
      }
    ],
    ui: {
      storefront: {
        pages: [
          { path: 'payments/pay/[id]', component: 'storefront/pay-page.svelte', title: 'Pay your invoice' },
          {
            path: 'payments/pay/[id]/success',
            component: 'storefront/pay-success-page.svelte',
            title: 'Payment received'
          },
          {
            path: 'payments/pay/[id]/cancelled',
            component: 'storefront/pay-cancelled-page.svelte',
            title: 'Payment not completed'
          }
        ],
        accountSlots: [
          { id: 'my-invoices', component: 'storefront/my-invoices.svelte', title: 'Invoices and receipts' }
        ]
      },
      dashboard: {
        nav: [{ label: 'Payments', href: '/p/payments', roles: STAFF_ROLES, icon: 'credit-card' }],
        pages: [
          {
            path: 'payments',
            component: 'dashboard/payments-page.svelte',
            title: 'Payments and invoices',
            roles: STAFF_ROLES
          },
          {
            // The dashboard matches plugin page paths exactly, so the invoice id travels as ?id=.
            path: 'payments/invoice',
            component: 'dashboard/invoice-detail-page.svelte',
            title: 'Invoice',
            roles: STAFF_ROLES
          },
          {
            path: 'payments/connect',
            component: 'dashboard/connect-page.svelte',
            title: 'Payment account',
            roles: MONEY_ROLES
          }
        ],
        widgets: [
          {
            id: 'revenue',
            component: 'dashboard/revenue-widget.svelte',
            title: 'Revenue (30 days)',
            roles: STAFF_ROLES,
            order: 20
          }
        ]
      }
    },
    setup(ctx: PluginContext) {
      const platform = options.platform ?? (ctx.platformConfig as PaymentsPlatformConfig)
      runtime = createRuntime(ctx, platform, options.faults)
      ctx.logger.info(
        { provider: runtime.provider.name, livemode: runtime.provider.livemode },
        'payments provider selected'
      )
      ctx.app.use(documentRoute(current) as any)
      if (runtime.sandbox) ctx.app.use(sandboxPageRoute(current) as any)
      options.onRuntime?.(runtime)
    }
  })
}

export default createPaymentsPlugin()

/** For scripts and tests: open the checkout of an invoice as the tenant's system. */
export function openCheckoutAsSystem(
  runtime: PaymentsRuntime,
  tenantId: string,
  invoiceId: string,
  faults?: CheckoutFaults
) {
  return runAsSystem('payments.checkout', tenantId, () =>
    startCheckout(runtime, { invoiceId, authorized: true }, faults)
  )
}
