// The webhook endpoint: verify the signature over the raw body, map the connected account to its tenant
// (or keep the event `unrouted` until the account is), store the event under its unique id, and only then
// answer 2xx; processing follows the answer.
import { ErrorCode } from '@masterstage/core'
import { PaymentsErrorCode } from '../domain/payments-errors.ts'
import type { WebhookEvent, WebhookEventState } from '../models/webhook-event-model.ts'
import { type ProviderEvent, WebhookSignatureError } from '../providers/payment-provider.ts'
import type { PaymentsRuntime } from '../runtime.ts'
import { routeOf } from './account-route-cache.ts'
import { processAfterAnswer } from './process-after-answer.ts'
import { insertReceipt } from './receipt-group.ts'

export interface WebhookRequest {
  rawBody: Buffer
  headers: Record<string, string | string[] | undefined>
}

export interface WebhookAnswer {
  status: number
  body?: unknown
}

export async function receiveWebhook(
  runtime: PaymentsRuntime,
  request: WebhookRequest
): Promise<WebhookAnswer> {
  let event: ProviderEvent
  try {
    event = runtime.provider.verifyWebhook(request.rawBody, request.headers['stripe-signature'])
  } catch (error) {
    if (!(error instanceof WebhookSignatureError)) throw error
    runtime.ctx.logger.warn({ reason: error.message }, 'webhook refused: signature')
    return {
      status: 400,
      body: {
        name: 'BadRequest',
        message: 'Invalid webhook signature',
        code: 400,
        data: { code: ErrorCode.VALIDATION_FAILED, reason: PaymentsErrorCode.WEBHOOK_SIGNATURE_INVALID }
      }
    }
  }
  if (typeof event?.id !== 'string' || typeof event.type !== 'string' || !event.data?.object) {
    return {
      status: 400,
      body: {
        name: 'BadRequest',
        message: 'Not an event',
        code: 400,
        data: { code: ErrorCode.VALIDATION_FAILED }
      }
    }
  }
  const stored = await store(runtime, event, request.rawBody.toString('utf8'), 'webhook')
  return { status: 200, body: { received: true, duplicate: !stored.inserted, state: stored.state } }
}

/** Stores a verified event once and queues its processing; shared with reconciliation. */
export async function store(
  runtime: PaymentsRuntime,
  event: ProviderEvent,
  payload: string,
  source: 'webhook' | 'reconciliation'
): Promise<{ inserted: boolean; state: WebhookEventState }> {
  const { provider, logger } = { provider: runtime.provider, logger: runtime.ctx.logger }
  const accountHash = event.account ? runtime.accountHash(event.account) : null
  const route = accountHash ? await routeOf(runtime, accountHash) : null
  let state: WebhookEventState = 'received'
  let reason: string | undefined
  if (Boolean(event.livemode) !== provider.livemode)
    [state, reason] = [
      'ignored',
      `livemode ${event.livemode} on a ${provider.livemode ? 'live' : 'test'} platform`
    ]
  else if (!event.account) [state, reason] = ['ignored', 'platform event without a connected account']
  // Stripe can deliver an account's first events before our connection wrote its route: keep them
  // for routeAccountEvents (connection, reconciliation) instead of dropping them.
  else if (!route) [state, reason] = ['unrouted', 'connected account not routed to a tenant (yet)']
  // Unique by event id; concurrent stores share one insert (receipt-group.ts).
  const document: WebhookEvent = {
    _id: event.id,
    type: event.type,
    provider: provider.name,
    accountHash,
    tenantId: route?.tenantId ?? null,
    livemode: Boolean(event.livemode),
    created: Number(event.created) || 0,
    payload: withoutAccountId(payload, event.account, accountHash),
    state,
    ...(reason ? { reason } : {}),
    attempts: 0,
    receivedAt: new Date(),
    source
  }
  if (!(await insertReceipt(runtime, document))) {
    logger.debug({ eventId: event.id, type: event.type }, 'webhook event already stored')
    return { inserted: false, state }
  }
  if (state === 'ignored' || state === 'unrouted') {
    // The account id is logged as its routing hash only.
    logger.warn({ eventId: event.id, type: event.type, accountHash, reason }, `webhook event ${state}`)
    return { inserted: true, state }
  }
  await processAfterAnswer(runtime, event, route!.tenantId)
  return { inserted: true, state }
}

/**
 * The connected account id is kept encrypted on its record, so the stored copy of an event names it by its
 * routing hash instead: every JSON string that is exactly the id (the event's `account`, an
 * `account.updated` object's `id`, the sandbox session's `account`). Processing reads only the type, the
 * object's other fields and `created`; the tenant comes from the route. One `replaceAll` of a quoted
 * ~25-character string over the ~3 KB body (a few µs); a body without the id is returned as is.
 */
export function withoutAccountId(payload: string, accountId: string | undefined | null, hash: string | null) {
  if (!accountId || !hash) return payload
  return payload.replaceAll(`"${accountId}"`, `"${hash}"`)
}
