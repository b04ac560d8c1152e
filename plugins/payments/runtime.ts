// Everything the plugin's services, webhooks, jobs and subscribers share, built once at setup from the
// plugin context: models, the selected provider, tenant profile and settings, links and document URLs.
import { createHmac } from 'node:crypto'
import type { PluginContext, PurposeSecretBox } from '@masterstage/core'
import type { Connection, Model } from 'mongoose'
import {
  createDocumentLinks,
  type DocumentLinkCheck,
  type DocumentLinkParts
} from './documents/document-links.ts'
import {
  ACCOUNT_ID_PURPOSE,
  type AccountIdCipher,
  readAccountId,
  upgradeAccountId
} from './domain/account-id-at-rest.ts'
import type { CheckoutFaults } from './domain/start-checkout.ts'
import type { AccountRoute } from './models/account-route-model.ts'
import { ACCOUNT_ROUTE_MODEL } from './models/account-route-model.ts'
import { CONNECTED_ACCOUNT_MODEL, type ConnectedAccount } from './models/connected-account-model.ts'
import { DOCUMENT_MODEL, type StoredDocument } from './models/document-model.ts'
import { INVOICE_COUNTER_MODEL, type InvoiceCounter } from './models/invoice-counter-model.ts'
import { INVOICE_MODEL, type Invoice } from './models/invoice-model.ts'
import { PAYMENT_MODEL, type Payment } from './models/payment-model.ts'
import { WEBHOOK_EVENT_MODEL, type WebhookEvent } from './models/webhook-event-model.ts'
import type { PaymentsPlatformConfig } from './platform-config.ts'
import type { PaymentProvider } from './providers/payment-provider.ts'
import { SANDBOX_MODEL, type SandboxObject } from './providers/sandbox/sandbox-model.ts'
import { createSandboxProvider, type SandboxProvider } from './providers/sandbox/sandbox-provider.ts'
import { createStripeProvider } from './providers/stripe/stripe-provider.ts'
import { DEFAULT_SETTINGS, type PaymentsSettings } from './settings.ts'

type AnyModel<T> = Model<T, any, any, any, any, any>

export interface PaymentsModels {
  counters: AnyModel<InvoiceCounter>
  invoices: AnyModel<Invoice>
  payments: AnyModel<Payment>
  accounts: AnyModel<ConnectedAccount>
  routes: AnyModel<AccountRoute>
  webhookEvents: AnyModel<WebhookEvent>
  documents: AnyModel<StoredDocument>
  sandbox: AnyModel<SandboxObject>
}

/** What documents and emails print about the tenant. */
export interface TenantProfile {
  tenantId: string
  slug: string
  name: string
  primaryColor: string
  legalName: string
  legalAddress: string
  taxId?: string
  billingEmail?: string
  staffEmail?: string
}

export interface PaymentsRuntime {
  ctx: PluginContext
  connection: Connection
  models: PaymentsModels
  provider: PaymentProvider
  /** Set when the sandbox is the provider (the hosted page and demo need it). */
  sandbox?: SandboxProvider
  platform: PaymentsPlatformConfig
  /** Test seam (crash simulation); empty in production. */
  faults: CheckoutFaults
  settings(tenantId: string): Promise<PaymentsSettings>
  profile(tenantId: string): Promise<TenantProfile>
  /** Keyed hash of a provider account id: the routing key that does not reveal the id. */
  accountHash(accountId: string): string
  /** Connected account ids at rest: bound to the tenant (core's ctx.secrets, key rotation included). */
  secrets: PurposeSecretBox
  /** The tenant's connected account id (decrypted), or null when not connected. */
  accountIdOf(tenantId: string): Promise<string | null>
  links: {
    payUrl(profile: TenantProfile, invoice: Pick<Invoice, '_id' | 'payToken'>): string
    storefrontUrl(profile: TenantProfile, path: string): string
    documentUrl(tenantId: string, invoiceId: string, kind: 'invoice' | 'receipt', now?: number): string
    checkDocumentLink(link: DocumentLinkParts, now?: number): DocumentLinkCheck
    webhookUrl(): string
    sandboxCheckoutUrl(): string
  }
}

export function createRuntime(
  ctx: PluginContext,
  platform: PaymentsPlatformConfig,
  faults: CheckoutFaults = {}
): PaymentsRuntime {
  const connection = ctx.app.get('mongoose')
  const models: PaymentsModels = {
    counters: ctx.models.get(INVOICE_COUNTER_MODEL),
    invoices: ctx.models.get(INVOICE_MODEL),
    payments: ctx.models.get(PAYMENT_MODEL),
    accounts: ctx.models.get(CONNECTED_ACCOUNT_MODEL),
    routes: ctx.models.get(ACCOUNT_ROUTE_MODEL),
    webhookEvents: ctx.models.get(WEBHOOK_EVENT_MODEL),
    documents: ctx.models.get(DOCUMENT_MODEL),
    sandbox: ctx.models.get(SANDBOX_MODEL)
  }
  // Distinct derived keys from core (never the platform key itself): one for routing hashes, one for
  // document link signatures. Every webhook delivery hashes its account and every success signs its link.
  const routingKey = ctx.secrets.derivedKey('account-route')
  const documentKey = ctx.secrets.derivedKey('document-link')
  const secrets = ctx.secrets.forPurpose(ACCOUNT_ID_PURPOSE)
  const accountIdCipher: AccountIdCipher = { secrets, derivedKey: ctx.secrets.derivedKey }
  const apiBase = ctx.config.publicApiUrl.replace(/\/+$/, '')
  const webhookUrl = () => `${apiBase}/webhooks/payments/stripe`
  const sandboxCheckoutUrl = () => `${apiBase}/payments-sandbox/checkout`

  let sandbox: SandboxProvider | undefined
  let provider: PaymentProvider
  if (platform.provider === 'stripe') {
    provider = createStripeProvider(platform.stripe!)
  } else {
    sandbox = createSandboxProvider({
      model: models.sandbox,
      webhookSecret: platform.sandbox!.webhookSecret,
      checkoutPageUrl: sandboxCheckoutUrl(),
      webhookUrl: webhookUrl()
    })
    provider = sandbox
  }

  const documentLinks = createDocumentLinks(documentKey, apiBase)

  const tenantDirectory = () =>
    (ctx.app as any).get('tenantDirectory') as { byId(id: string): Promise<any> } | undefined

  return {
    ctx,
    connection,
    models,
    provider,
    sandbox,
    platform,
    faults,
    secrets,
    async settings(tenantId) {
      return { ...DEFAULT_SETTINGS, ...((await ctx.tenants.settings(tenantId)) as Partial<PaymentsSettings>) }
    },
    async profile(tenantId) {
      const settings = await this.settings(tenantId)
      const tenant = await tenantDirectory()?.byId(tenantId)
      const legal = tenant?.legal
      const address = legal?.address
      return {
        tenantId,
        slug: tenant?.slug ?? tenantId,
        name: tenant?.name ?? settings.legalName ?? 'Masterstage',
        primaryColor: settings.brandColor ?? tenant?.theme?.colors?.primary ?? '#333333',
        legalName: settings.legalName ?? legal?.companyName ?? tenant?.name ?? 'Masterstage',
        legalAddress:
          settings.legalAddress ??
          (address
            ? [address.line1, address.line2, `${address.postalCode} ${address.city}`, address.country]
                .filter(Boolean)
                .join('\n')
            : '-'),
        taxId: settings.taxId ?? legal?.vatId ?? legal?.taxId,
        billingEmail: settings.billingEmail ?? legal?.email,
        staffEmail: settings.staffEmail ?? settings.billingEmail
      }
    },
    accountHash(accountId) {
      return createHmac('sha256', routingKey).update(accountId).digest('hex')
    },
    async accountIdOf(tenantId) {
      const account = await models.accounts
        .findOne({ provider: provider.name, tenantId })
        .select('+accountIdEncrypted')
        .lean()
      if (!account) return null
      const accountId = readAccountId(accountIdCipher, account.accountIdEncrypted, tenantId)
      // Written under a retired key or in the plugin's legacy format: written again under the current key.
      // Reading does not depend on it succeeding.
      if (!secrets.isCurrent(account.accountIdEncrypted)) {
        await upgradeAccountId(models.accounts, accountIdCipher, account, accountId, tenantId).catch(
          (error: unknown) =>
            ctx.logger.warn(
              { tenantId, err: { message: (error as Error).message } },
              'account id re-encryption failed'
            )
        )
      }
      return accountId
    },
    links: {
      payUrl: (profile, invoice) =>
        `${tenantStorefront(ctx, profile.slug)}/payments/pay/${invoice._id}?token=${encodeURIComponent(invoice.payToken)}`,
      storefrontUrl: (profile, path) => `${tenantStorefront(ctx, profile.slug)}${path}`,
      documentUrl: documentLinks.documentUrl,
      checkDocumentLink: documentLinks.checkDocumentLink,
      webhookUrl,
      sandboxCheckoutUrl
    }
  }
}

/** Tenants are served at `<slug>.<host of STOREFRONT_URL>` (e.g. http://ava-fit.localhost:5173). */
function tenantStorefront(ctx: PluginContext, slug: string): string {
  const url = new URL(ctx.config.storefrontUrl)
  url.hostname = `${slug}.${url.hostname}`
  return url.toString().replace(/\/+$/, '')
}
