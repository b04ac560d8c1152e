// The typed catalogue of domain events. Plugins add their events by declaration merging on THIS module
// (augmenting '@masterstage/core' would declare a second, unrelated DomainEvents through the re-export):
//   declare module '@masterstage/core/events/domain-events.ts' { interface DomainEvents { 'lead.created': LeadCreated } }
// Names follow the data-flow arrows: `<entity>.<past-tense>` (lead.created, payment.succeeded, ...).

/** Map of event name → payload. Core's own events live here; plugins merge theirs in their contract.ts. */
export interface DomainEvents {
  'tenant.created': { tenantId: string; slug: string; agencyId: string }
  'tenant.plugin.enabled': { tenantId: string; plugin: string }
  'tenant.plugin.disabled': { tenantId: string; plugin: string }
  'user.created': { userId: string; role: string; email: string }
  'user.access.changed': { userId: string; reason: 'password' | 'role' | 'membership' | 'removed' }
}

export type EventName = keyof DomainEvents & string

/** One recorded occurrence. `id` is unique and is the idempotency key for every handler. */
export interface DomainEvent<N extends EventName = EventName> {
  id: string
  name: N
  /** Every event belongs to exactly one tenant, except platform-level ones (tenant/user lifecycle). */
  tenantId: string | null
  occurredAt: string
  payload: DomainEvents[N]
  /** The event or request that caused this one, for tracing a flow across plugins. */
  causationId?: string
}

export interface EmitOptions {
  /** Tenant the event belongs to; defaults to the current request scope's tenant. */
  tenantId?: string | null
  /** Deterministic id to make re-emission idempotent (e.g. `payment.succeeded:${stripeEventId}`). */
  id?: string
  causationId?: string
  /** Run the outbox write inside the caller's MongoDB transaction (outbox pattern). */
  session?: import('mongoose').ClientSession
}

/** One event of an emitMany batch: the id is required (it is what makes re-emission idempotent). */
export type EmitManyEvent = {
  [N in EventName]: { name: N; payload: DomainEvents[N]; id: string }
}[EventName]

/** Options shared by every event of an emitMany batch. */
export type EmitManyOptions = Omit<EmitOptions, 'id'>

/** Context given to an event handler; handlers run in the event's tenant scope. */
export interface EventHandlerContext {
  attempt: number
  logger: import('pino').Logger
  /**
   * Runs one step of the handler at most once to completion per (event, handler, key) and returns its
   * stored result on later attempts. A handler that fails after an external side effect (email sent,
   * invoice created) wraps that step so a retry does not repeat it. The step result is recorded after
   * the step succeeds, so a crash between the two repeats the step once: make the step itself
   * idempotent too (pass the event id as the provider's idempotency key).
   */
  once<T>(key: string, step: () => Promise<T>): Promise<T>
}

export type EventHandler<N extends EventName = EventName> = (
  event: DomainEvent<N>,
  ctx: EventHandlerContext
) => Promise<void>

/**
 * Durable event delivery. `emit` records the event in MongoDB (outbox) before anything is enqueued;
 * each subscribed handler then runs at least once through Bull, and exactly once in effect because
 * handler completion is recorded per (event id, handler name).
 */
export interface EventBus {
  emit<N extends EventName>(name: N, payload: DomainEvents[N], options?: EmitOptions): Promise<DomainEvent<N>>
  /**
   * Several events at once, each exactly as `emit` with its id would record it (an id already stored is
   * not emitted again: its stored event is returned; the same id under another name is a conflict), in
   * one read of the ids and one insert. Results are in input order.
   */
  emitMany(events: EmitManyEvent[], options?: EmitManyOptions): Promise<DomainEvent[]>
  /**
   * `handlerName` must be stable across deploys: it keys the exactly-once record. `options.attempts` and
   * `options.backoffMs` (exponential) override the bus defaults for this handler.
   */
  subscribe<N extends EventName>(
    name: N,
    handlerName: string,
    handler: EventHandler<N>,
    options?: { attempts?: number; backoffMs?: number }
  ): void
}
