// `payments/webhook-events`: the tenant's stored provider events for its staff, above all those left
// `failed` after the job's retries (until now only a log line), and a replay that queues a failed event once
// more. Like core's events/deliveries view, but per tenant and without the payload: only id, type, state,
// reason, attempts and arrival time leave the server.
import { randomUUID } from 'node:crypto'
import type { MasterstageParams } from '@masterstage/core'
import { conflict, notFound, serviceUnavailable, trusted } from '@masterstage/core'
import { PaymentsErrorCode } from '../domain/payments-errors.ts'
import type { WebhookEvent, WebhookEventState } from '../models/webhook-event-model.ts'
import type { PaymentsRuntime } from '../runtime.ts'
import { enqueueProcessing } from '../webhooks/process-after-answer.ts'
import { listQuery, scopeTenantId } from './service-params.ts'

/** A tenant sees its routed events only: `ignored` and `unrouted` ones have no tenant yet. */
type TenantWebhookEventState = Exclude<WebhookEventState, 'ignored' | 'unrouted'>
const STATES: readonly TenantWebhookEventState[] = ['received', 'processed', 'failed']

/** A stored provider event as staff see it (never its payload); `When` is an ISO string once sent as JSON. */
export interface WebhookEventView<When = Date> {
  id: string
  type: string
  state: TenantWebhookEventState
  reason: string | null
  attempts: number
  receivedAt: When
}

// The only fields read: the payload never leaves the database through this service.
const VIEW_FIELDS = { type: 1, state: 1, reason: 1, attempts: 1, receivedAt: 1 } as const

export class WebhookEventsService {
  readonly runtime: () => PaymentsRuntime

  constructor(runtime: () => PaymentsRuntime) {
    this.runtime = runtime
  }

  /** Newest first; `state` filters, `$limit`/`$skip` page, `total` counts the filter. */
  async find(params: MasterstageParams) {
    const { limit, skip, filter } = listQuery(params, [], STATES, 'state')
    filter.tenantId = scopeTenantId()
    filter.state ??= trusted({ $in: [...STATES] })
    const { webhookEvents } = this.runtime().models
    const [total, rows] = await Promise.all([
      webhookEvents.countDocuments(filter),
      webhookEvents
        .find(filter)
        .select(VIEW_FIELDS)
        .sort({ receivedAt: -1, _id: -1 })
        .skip(skip)
        .limit(limit)
        .lean()
    ])
    return { total, limit, skip, data: (rows as WebhookEvent[]).map(view) }
  }
}

/**
 * `payments/webhook-event-replays` create: `{ id }` of a failed event of the tenant goes back to `received`
 * and is queued for the per-event job. The state change is the guard, so a double click (or two staff)
 * queues it once; another tenant's event is a 404.
 */
export class WebhookEventReplaysService {
  private readonly runtime: () => PaymentsRuntime

  constructor(runtime: () => PaymentsRuntime) {
    this.runtime = runtime
  }

  async create(data: { id: string }): Promise<WebhookEventView> {
    const runtime = this.runtime()
    const tenantId = scopeTenantId()
    const { webhookEvents } = runtime.models
    const replayed = (await webhookEvents
      .findOneAndUpdate(
        { _id: data.id, tenantId, state: 'failed' },
        { $set: { state: 'received', reason: 'replay requested' } },
        { returnDocument: 'after', projection: VIEW_FIELDS }
      )
      .lean()) as WebhookEvent | null
    if (!replayed) {
      const exists = await webhookEvents.exists({ _id: data.id, tenantId })
      if (!exists) throw notFound('Webhook event not found')
      throw conflict('Only a failed webhook event can be replayed', {
        reason: PaymentsErrorCode.WEBHOOK_EVENT_NOT_FAILED
      })
    }
    // A job id of its own: the exhausted job of the first failure still holds `webhook:<id>` in the queue.
    const queued = await enqueueProcessing(
      runtime,
      replayed._id,
      tenantId,
      `webhook-replay:${replayed._id}:${randomUUID()}`
    )
    if (!queued) {
      // Not queued (Redis down): back to failed, so the replay can be asked for again (the sweep skips
      // events past their attempts, and a `received` event would wait for nothing).
      await webhookEvents.updateOne(
        { _id: replayed._id, tenantId, state: 'received' },
        { $set: { state: 'failed', reason: 'replay could not be queued' } }
      )
      throw serviceUnavailable(5)
    }
    runtime.ctx.logger.info(
      { tenantId, eventId: replayed._id, type: replayed.type },
      'webhook event replay queued'
    )
    return view(replayed)
  }
}

function view(event: WebhookEvent): WebhookEventView {
  return {
    id: event._id,
    type: event.type,
    // The list's filter and the replay's guard only let a tenant's states through.
    state: event.state as TenantWebhookEventState,
    reason: event.reason ?? null,
    attempts: event.attempts,
    receivedAt: event.receivedAt
  }
}
