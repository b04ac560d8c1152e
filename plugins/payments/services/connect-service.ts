// Stripe Connect onboarding for the request's tenant: `find` shows the account status (refreshed from
// the provider), `create` creates the connected account once and returns an onboarding link.
import { randomUUID } from 'node:crypto'
import type { MasterstageParams } from '@masterstage/core'
import { isDuplicateKeyError, validationError } from '@masterstage/core'
import type { PaymentsRuntime } from '../runtime.ts'
import { forgetRoute } from '../webhooks/account-route-cache.ts'
import { routeAccountEvents } from '../webhooks/route-unrouted-events.ts'
import { assertQueryKeys, scopeTenantId } from './service-params.ts'

export interface ConnectStatus {
  connected: boolean
  provider: string
  chargesEnabled: boolean
  payoutsEnabled: boolean
  detailsSubmitted: boolean
  requirementsDue: string[]
}

export class ConnectService {
  readonly runtime: () => PaymentsRuntime

  constructor(runtime: () => PaymentsRuntime) {
    this.runtime = runtime
  }

  /** The tenant's one account status: there is nothing to filter or page, so any query key is refused. */
  async find(params: MasterstageParams): Promise<ConnectStatus> {
    assertQueryKeys(params, [])
    const runtime = this.runtime()
    const tenantId = scopeTenantId()
    const accountId = await runtime.accountIdOf(tenantId)
    if (!accountId)
      return {
        connected: false,
        provider: runtime.provider.name,
        chargesEnabled: false,
        payoutsEnabled: false,
        detailsSubmitted: false,
        requirementsDue: []
      }
    const status = await runtime.provider.retrieveAccountStatus(accountId)
    await runtime.models.accounts.updateOne(
      { provider: runtime.provider.name },
      {
        $set: {
          chargesEnabled: status.chargesEnabled,
          payoutsEnabled: status.payoutsEnabled,
          detailsSubmitted: status.detailsSubmitted,
          requirementsDue: status.requirementsDue,
          statusUpdatedAt: new Date()
        }
      }
    )
    const { accountId: _hidden, ...rest } = status
    return { connected: true, provider: runtime.provider.name, ...rest }
  }

  async create(
    data: { returnUrl?: string; refreshUrl?: string; idempotencyKey?: string },
    params: MasterstageParams
  ): Promise<{ onboardingUrl: string }> {
    const runtime = this.runtime()
    const tenantId = scopeTenantId()
    const dashboard = runtime.ctx.config.dashboardUrl.replace(/\/+$/, '')
    for (const field of ['returnUrl', 'refreshUrl'] as const) {
      const value = data?.[field]
      // Only back into our own dashboard: an onboarding link must not bounce to an attacker's site.
      if (value !== undefined && (typeof value !== 'string' || !value.startsWith(`${dashboard}/`))) {
        throw validationError('Invalid onboarding request', [
          { path: field, message: `must be a URL of the dashboard (${dashboard})` }
        ])
      }
    }
    const clientKey = data?.idempotencyKey
    if (clientKey !== undefined && (typeof clientKey !== 'string' || !/^[\w-]{8,80}$/.test(clientKey))) {
      throw validationError('Invalid onboarding request', [
        { path: 'idempotencyKey', message: 'must be 8-80 letters, digits, _ or -' }
      ])
    }
    let accountId = await runtime.accountIdOf(tenantId)
    if (!accountId) accountId = await this.createAccount(runtime, tenantId, params.user?.email)
    // Account links are single-use and short-lived, so each click gets a new one: the key (the client's,
    // else fresh) only makes the SDK's network retries and a double-submitted click create one link.
    const link = await runtime.provider.createOnboardingLink(
      {
        accountId,
        returnUrl: data?.returnUrl ?? `${dashboard}/p/payments/connect?onboarding=done`,
        refreshUrl: data?.refreshUrl ?? `${dashboard}/p/payments/connect?onboarding=refresh`
      },
      `onboarding-link:${tenantId}:${clientKey ?? randomUUID()}`
    )
    return { onboardingUrl: link.url }
  }

  async createAccount(
    runtime: PaymentsRuntime,
    tenantId: string,
    email: string | undefined
  ): Promise<string> {
    const settings = await runtime.settings(tenantId)
    // One account per tenant and provider, whoever clicks first: the key is the tenant.
    const { accountId } = await runtime.provider.createConnectedAccount(
      { tenantId, email, country: settings.country },
      `connect:${tenantId}:${runtime.provider.name}`
    )
    await runtime.models.routes.updateOne(
      { _id: runtime.accountHash(accountId) },
      { $setOnInsert: { tenantId, provider: runtime.provider.name, createdAt: new Date() } },
      { upsert: true }
    )
    forgetRoute(runtime, runtime.accountHash(accountId))
    await runtime.models.accounts
      .create({
        provider: runtime.provider.name,
        accountIdEncrypted: runtime.secrets.encrypt(accountId, tenantId),
        chargesEnabled: false,
        payoutsEnabled: false,
        detailsSubmitted: false,
        requirementsDue: [],
        statusUpdatedAt: new Date(0)
      })
      .catch((error: unknown) => {
        if (!isDuplicateKeyError(error)) throw error
      })
    // Events Stripe sent before the route existed (account.updated of the new account) are processed now.
    await routeAccountEvents(runtime, tenantId, accountId)
    runtime.ctx.logger.info(
      { tenantId, accountHash: runtime.accountHash(accountId) },
      'connected account created'
    )
    return (await runtime.accountIdOf(tenantId)) ?? accountId
  }
}
