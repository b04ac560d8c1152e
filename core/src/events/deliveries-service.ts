// `events/deliveries`: platform admins list event deliveries (failed ones above all) and replay them.
import type { Application } from '../app/declarations.ts'
import { registerService } from '../app/register-service.ts'
import { type FieldError, notFound, queryNotAllowed, validationError } from '../errors/codes.ts'
import type { DurableEventBus } from './durable-event-bus.ts'
import type { DeliveryDocument, DeliveryStatus } from './event-store.ts'

export const EVENT_DELIVERIES_PATH = 'events/deliveries'
const STATUSES: readonly DeliveryStatus[] = ['running', 'retrying', 'completed', 'failed', 'pending']
const FILTERS = ['status', 'eventId', 'eventName', 'handler', 'tenantId'] as const
const MAX_LIMIT = 100

export class EventDeliveriesService {
  readonly bus: DurableEventBus

  constructor(bus: DurableEventBus) {
    this.bus = bus
  }

  /** Newest first. Query: status, eventId, eventName, handler, tenantId (exact strings) and $limit. */
  async find(params: { query?: Record<string, unknown> } = {}): Promise<DeliveryDocument[]> {
    const query = params.query ?? {}
    const filter: Record<string, string> = {}
    const errors: FieldError[] = []
    for (const [key, value] of Object.entries(query)) {
      if (key === '$limit') continue
      if (!(FILTERS as readonly string[]).includes(key))
        errors.push({ path: key, message: 'is not a filter of event deliveries' })
      else if (typeof value !== 'string') errors.push({ path: key, message: 'must be a plain string' })
      else if (key === 'status' && !(STATUSES as readonly string[]).includes(value)) {
        errors.push({ path: key, message: `must be one of ${STATUSES.join(', ')}` })
      } else filter[key] = value
    }
    const limit = query.$limit === undefined ? 50 : Number(query.$limit)
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
      errors.push({ path: '$limit', message: `must be an integer from 1 to ${MAX_LIMIT}` })
    }
    if (errors.length) throw queryNotAllowed('Invalid event deliveries query', errors)
    return this.bus.store.deliveries.find(filter).sort({ updatedAt: -1 }).limit(limit).toArray()
  }

  async get(id: string): Promise<DeliveryDocument> {
    const delivery = await this.bus.store.deliveries.findOne({ _id: decodeId(id) })
    if (!delivery) throw notFound(`No event delivery ${id}`)
    return delivery
  }

  /** `{ id }` of a failed delivery: enqueued again with fresh attempts. */
  async replay(data: { id?: unknown }): Promise<DeliveryDocument> {
    if (typeof data?.id !== 'string' || data.id === '') {
      throw validationError('replay needs the id of a failed delivery', [
        { path: 'id', message: 'is required' }
      ])
    }
    return this.bus.replay(decodeId(data.id))
  }
}

/**
 * Delivery ids contain ':' which the Feathers REST client percent-encodes in the URL, and the Koa
 * transport hands the id over still encoded.
 */
function decodeId(id: unknown): string {
  const value = String(id)
  if (!value.includes('%')) return value
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}

export function registerEventDeliveriesService(app: Application, bus: DurableEventBus): void {
  const platformAdmins = ['platform_admin'] as const
  registerService(app, {
    path: EVENT_DELIVERIES_PATH,
    service: new EventDeliveriesService(bus),
    methods: ['find', 'get', 'replay'],
    access: { find: platformAdmins, get: platformAdmins, replay: platformAdmins },
    tenantScoped: false
  })
}
