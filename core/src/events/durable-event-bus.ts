// The EventBus implementation: outbox in MongoDB first, then one Bull job per subscribed handler
// (job id `<eventId>:<handler>`), each run recorded so its effect happens once.
import { createHash, randomUUID } from 'node:crypto'
import { Unavailable } from '@feathersjs/errors'
import { BSON } from 'bson'
import type Bull from 'bull'
import type { Connection } from 'mongoose'
import type { Logger } from 'pino'
import { currentScope, runAsSystem } from '../context/request-scope.ts'
import { conflict, ErrorCode, notFound } from '../errors/codes.ts'
import { defaultJobOptions } from '../jobs/job-options.ts'
import type { JobDefinition, JobRunContext } from '../jobs/job-registry.ts'
import { addJobNow, type QueueFactory } from '../jobs/queue-factory.ts'
import type {
  DomainEvent,
  DomainEvents,
  EmitManyEvent,
  EmitManyOptions,
  EmitOptions,
  EventBus,
  EventHandler,
  EventHandlerContext,
  EventName
} from './domain-events.ts'
import { assertEmitInput, assertEventName, assertHandlerName } from './event-names.ts'
import {
  type DeliveryDocument,
  deliveryId,
  EventStore,
  isDuplicateKeyError,
  type OutboxDocument
} from './event-store.ts'

/** The one Bull queue carrying event deliveries; each job is one (event, handler) pair. */
export const EVENT_DELIVERY_QUEUE = 'events.deliveries'

export interface SubscribeOptions {
  /** Attempts before the delivery is marked failed (default: the bus default). */
  attempts?: number
  backoffMs?: number
}

export interface DurableEventBusOptions {
  connection: Connection
  queues: QueueFactory
  logger: Logger
  attempts?: number
  backoffMs?: number
  /** How long an emitter or relay owns an undispatched event before another may take it. */
  dispatchLeaseMs?: number
  /** How long one handler run owns its delivery before a re-run may take over (≥ Bull lockDuration). */
  deliveryLeaseMs?: number
  /** Max wait for Redis when enqueueing; past it the event stays in the outbox for the relay. */
  enqueueTimeoutMs?: number
  /** Delivery jobs run in parallel in this process (a group job runs up to 5 of its handlers at once). */
  concurrency?: number
}

interface Subscription {
  event: string
  handlerName: string
  handler: EventHandler<any>
  attempts: number
  backoffMs: number
}

interface DeliveryJobData {
  eventId: string
  handler: string
  /** The outbox document as base64 BSON (so the handler sees exactly what an outbox read returns) when
   * small enough to carry: the run then needs no read; older jobs and large events are read instead. */
  event?: string
  /** Attempts this delivery had before this job (a group run that failed it): counted on for the handler. */
  attemptsBefore?: number
}

/** One handler's deliveries of several events (a relay pass's), run by one job under one run id. */
interface DeliveryGroupJobData {
  handler: string
  group: { eventId: string; event?: string }[]
}

/**
 * Most events one group job carries. A group shares one Bull job, one claim write and read, one lease
 * renewal and one completion write; its handlers run concurrently within the job.
 */
export const DELIVERY_GROUP_MAX = 20
/** Handlers of one group run at once (chunks, each completed with one write). */
const DELIVERY_GROUP_CONCURRENCY = 5

/**
 * Events up to this size ride in their delivery jobs (Redis holds every queued job's data). Their payloads
 * (which may name people: emails, lead fields) are then also in Redis for as long as Bull keeps the job
 * (job-options.ts: completed 24 h / 1,000 jobs, failed 7 days), beside the outbox's own copy in MongoDB.
 */
const CARRIED_EVENT_MAX_BYTES = 12 * 1024

export class DurableEventBus implements EventBus {
  readonly store: EventStore
  readonly #queues: QueueFactory
  readonly #logger: Logger
  readonly #options: Required<Omit<DurableEventBusOptions, 'connection' | 'queues' | 'logger'>>
  readonly #byHandler = new Map<string, Subscription>()
  readonly #byEvent = new Map<string, Subscription[]>()

  constructor(options: DurableEventBusOptions) {
    this.store = new EventStore(options.connection)
    this.#queues = options.queues
    this.#logger = options.logger.child({ component: 'events' })
    this.#options = {
      attempts: options.attempts ?? 5,
      backoffMs: options.backoffMs ?? 1000,
      dispatchLeaseMs: options.dispatchLeaseMs ?? 30_000,
      deliveryLeaseMs: options.deliveryLeaseMs ?? 60_000,
      enqueueTimeoutMs: options.enqueueTimeoutMs ?? 3000,
      concurrency: options.concurrency ?? 5
    }
  }

  subscribe<N extends EventName>(
    name: N,
    handlerName: string,
    handler: EventHandler<N>,
    options: SubscribeOptions = {}
  ): void {
    assertEventName(name)
    assertHandlerName(handlerName)
    if (this.#byHandler.has(handlerName)) throw new Error(`Event handler ${handlerName} is subscribed twice`)
    const subscription: Subscription = {
      event: name,
      handlerName,
      handler,
      attempts: options.attempts ?? this.#options.attempts,
      backoffMs: options.backoffMs ?? this.#options.backoffMs
    }
    this.#byHandler.set(handlerName, subscription)
    this.#byEvent.set(name, [...(this.#byEvent.get(name) ?? []), subscription])
  }

  /** Handler names subscribed to an event, in subscription order. */
  handlersOf(name: string): string[] {
    return (this.#byEvent.get(name) ?? []).map((subscription) => subscription.handlerName)
  }

  async emit<N extends EventName>(
    name: N,
    payload: DomainEvents[N],
    options: EmitOptions = {}
  ): Promise<DomainEvent<N>> {
    assertEmitInput(name, payload, options.id)
    const scope = currentScope()
    const now = new Date()
    const hasHandlers = (this.#byEvent.get(name) ?? []).length > 0
    const document: OutboxDocument = {
      _id: options.id ?? randomUUID(),
      name,
      tenantId: options.tenantId !== undefined ? options.tenantId : (scope?.tenantId ?? null),
      occurredAt: now,
      payload,
      causationId: options.causationId ?? scope?.requestId,
      dispatchedAt: hasHandlers ? null : now,
      // Inside a transaction the event is invisible until commit: leave dispatch to the relay.
      leaseUntil: options.session ? now : new Date(now.getTime() + this.#options.dispatchLeaseMs)
    }
    if (options.session && options.id !== undefined) {
      // Checked before inserting: a duplicate-key error would abort the caller's transaction. Only a
      // caller-chosen id can already exist; a fresh random id saves the read.
      const stored = await this.store.outbox.findOne({ _id: document._id }, { session: options.session })
      if (stored) return reemitted(stored, name)
    }
    const inserted = await this.store.insertEvent(document, options.session)
    if (!inserted) {
      const stored = await this.store.outbox.findOne({ _id: document._id })
      if (!stored) throw new Error(`Event ${document._id} vanished while re-emitting`)
      return reemitted(stored, name)
    }
    if (hasHandlers && !options.session) await this.dispatch(document)
    return toDomainEvent(document) as DomainEvent<N>
  }

  /**
   * `emit` for several events with caller-chosen ids. In a transaction: one read of the ids (inside the
   * caller's session, so it sees the transaction's own writes) and one insertMany of those not stored yet;
   * outside one: one unordered insertMany, then a read of the ids it found stored. An id already stored,
   * or repeated earlier in the same call, returns the stored event as emit does. Outside a transaction the
   * new events are dispatched once inserted; inside one they are left to the relay after commit.
   */
  async emitMany(events: EmitManyEvent[], options: EmitManyOptions = {}): Promise<DomainEvent[]> {
    if (events.length === 0) return []
    for (const event of events) assertEmitInput(event.name, event.payload, event.id)
    const scope = currentScope()
    const now = new Date()
    const tenantId = options.tenantId !== undefined ? options.tenantId : (scope?.tenantId ?? null)
    const causationId = options.causationId ?? scope?.requestId
    const leaseUntil = options.session ? now : new Date(now.getTime() + this.#options.dispatchLeaseMs)
    // Inside a transaction the stored ids are read first (a duplicate key would abort the caller's
    // transaction); outside one the unordered insert itself tells which ids were stored, and only those
    // are read back.
    const found = options.session
      ? await this.store.outbox
          .find({ _id: { $in: [...new Set(events.map((event) => event.id))] } }, { session: options.session })
          .toArray()
      : []
    const known = new Map(found.map((document) => [document._id, document]))
    const fresh: OutboxDocument[] = []
    for (const event of events) {
      if (known.has(event.id)) continue
      const hasHandlers = (this.#byEvent.get(event.name) ?? []).length > 0
      const document: OutboxDocument = {
        _id: event.id,
        name: event.name,
        tenantId,
        occurredAt: now,
        payload: event.payload,
        causationId,
        dispatchedAt: hasHandlers ? null : now,
        leaseUntil
      }
      known.set(event.id, document)
      fresh.push(document)
    }
    const raced = await this.store.insertEvents(fresh, options.session)
    if (raced.size > 0) {
      // Only outside a transaction (inside, insertEvents throws for withTransaction to retry).
      const stored = await this.store.outbox.find({ _id: { $in: [...raced] } }).toArray()
      for (const document of stored) known.set(document._id, document)
      for (const id of raced)
        if (!stored.some((document) => document._id === id))
          throw new Error(`Event ${id} vanished while re-emitting`)
    }
    if (!options.session) {
      for (const document of fresh) {
        if (raced.has(document._id) || document.dispatchedAt) continue
        await this.dispatch(document)
      }
    }
    return events.map((event) => reemitted(known.get(event.id)!, event.name))
  }

  /**
   * Enqueues one job per subscribed handler and marks the event dispatched. Returns false (leaving the
   * event to the relay) when Redis cannot take the jobs now.
   */
  async dispatch(event: OutboxDocument): Promise<boolean> {
    if (!(await this.enqueueDeliveries(event))) return false
    await this.store.markDispatched(event._id)
    return true
  }

  /**
   * `dispatch` without the dispatched mark, for a caller that marks several events at once (the relay).
   * Until marked, the event stays leased; a crash in between re-dispatches it after the lease, which the
   * deliveries' job ids and exactly-once records absorb.
   */
  async enqueueDeliveries(event: OutboxDocument): Promise<boolean> {
    try {
      const carried = carriedEvent(event)
      for (const subscription of this.#byEvent.get(event.name) ?? []) {
        await this.#enqueueDelivery(event._id, subscription, carried)
      }
    } catch (error) {
      this.#logger.warn(
        { eventId: event._id, event: event.name, err: { message: (error as Error).message } },
        'event recorded, enqueue deferred to the outbox relay'
      )
      await this.store.releaseLease(event._id).catch(() => undefined)
      return false
    }
    return true
  }

  /**
   * The relay's enqueue for a pass's events: one job per handler and group of up to DELIVERY_GROUP_MAX of
   * them (deliverGroup) instead of one per event and handler; a handler with a single event keeps a job of
   * its own. Per event, whether all its jobs reached Redis; the others' leases are released for the next
   * pass (a group enqueued again later is absorbed by its job id and the deliveries' claims).
   */
  async enqueueDeliveriesMany(events: OutboxDocument[]): Promise<boolean[]> {
    const carried = new Map(events.map((event) => [event._id, carriedEvent(event)]))
    const byHandler = new Map<Subscription, OutboxDocument[]>()
    for (const event of events) {
      for (const subscription of this.#byEvent.get(event.name) ?? []) {
        const list = byHandler.get(subscription)
        if (list) list.push(event)
        else byHandler.set(subscription, [event])
      }
    }
    const refused = new Set<string>()
    const enqueues: Promise<unknown>[] = []
    for (const [subscription, list] of byHandler) {
      for (let start = 0; start < list.length; start += DELIVERY_GROUP_MAX) {
        const group = list.slice(start, start + DELIVERY_GROUP_MAX)
        const enqueue =
          group.length === 1
            ? this.#enqueueDelivery(group[0]._id, subscription, carried.get(group[0]._id))
            : this.#enqueueGroup(group, subscription, carried)
        enqueues.push(
          enqueue.catch((error: Error) => {
            for (const event of group) refused.add(event._id)
            this.#logger.warn(
              { handler: subscription.handlerName, events: group.length, err: { message: error.message } },
              'events recorded, enqueue deferred to the outbox relay'
            )
          })
        )
      }
    }
    await Promise.all(enqueues)
    for (const id of refused) await this.store.releaseLease(id).catch(() => undefined)
    return events.map((event) => !refused.has(event._id))
  }

  #enqueueGroup(
    events: OutboxDocument[],
    subscription: Subscription,
    carried: Map<string, string | undefined>
  ): Promise<Bull.Job> {
    const group = events.map((event) => {
      const event64 = carried.get(event._id)
      return event64 === undefined ? { eventId: event._id } : { eventId: event._id, event: event64 }
    })
    // The same group enqueued again (a pass repeated after a crash) is the same job; any other membership
    // is another job (an id from the first event alone merged different groups into one).
    return this.#addDeliveryJob({ handler: subscription.handlerName, group }, subscription, {
      jobId: groupJobId(subscription.handlerName, events)
    })
  }

  #enqueueDelivery(
    eventId: string,
    subscription: Subscription,
    carried: string | undefined
  ): Promise<Bull.Job> {
    const data: DeliveryJobData = { eventId, handler: subscription.handlerName }
    if (carried !== undefined) data.event = carried
    return this.#addDeliveryJob(data, subscription, { jobId: deliveryId(eventId, subscription.handlerName) })
  }

  /** A job on the deliveries' queue with the subscription's retry policy (fewer attempts when some are used). */
  #addDeliveryJob(
    data: DeliveryJobData | DeliveryGroupJobData,
    subscription: Subscription,
    options: { jobId: string; attempts?: number; delay?: number }
  ): Promise<Bull.Job> {
    return addJobNow(
      this.#queues,
      EVENT_DELIVERY_QUEUE,
      { tenantId: null, data },
      {
        ...defaultJobOptions({
          attempts: options.attempts ?? subscription.attempts,
          backoffMs: subscription.backoffMs
        }),
        jobId: options.jobId,
        ...(options.delay !== undefined && { delay: options.delay })
      },
      this.#options.enqueueTimeoutMs
    )
  }

  /** The job that runs deliveries; registered with the job registry so workers pick it up. */
  deliveryJob(): JobDefinition<DeliveryJobData | DeliveryGroupJobData> {
    return {
      queue: EVENT_DELIVERY_QUEUE,
      concurrency: this.#options.concurrency,
      handle: (data, context) =>
        'group' in data ? this.deliverGroup(data, context) : this.deliver(data, context)
    }
  }

  /** Runs one handler for one event, at most once to completion. Exported for workers and tests. */
  async deliver(data: DeliveryJobData, context: Pick<JobRunContext, 'attempt' | 'job'>): Promise<void> {
    const id = deliveryId(data.eventId, data.handler)
    const logger = this.#logger.child({
      eventId: data.eventId,
      handler: data.handler,
      attempt: context.attempt
    })
    const subscription = await this.#registeredHandler(data.handler, context, logger)
    const event = eventCarriedBy(data) ?? (await this.store.outbox.findOne({ _id: data.eventId }))
    if (!event)
      throw new Error(`Event ${data.eventId} not found in the outbox (transaction not committed yet?)`)
    const claim = await this.store.claimDelivery(event, data.handler, this.#options.deliveryLeaseMs)
    if (claim.state === 'settled') {
      logger.info(
        claim.status === 'completed'
          ? 'delivery already completed, skipping duplicate run'
          : 'delivery failed for good, skipping (a replay runs it again)'
      )
      return
    }
    if (claim.state === 'busy') {
      const busy = new Error(`Delivery ${id} is held by another run (lease not expired)`)
      // Out of attempts while another run holds the lease: that run may be alive (it renews its lease)
      // or dead (its lease will lapse). Marking the delivery failed would let a replay run alongside a
      // live holder, so look again once the current lease has lapsed instead.
      if (isLastAttempt(context)) {
        await this.#retryAfterLease(data, subscription, claim.leaseUntil)
        logger.info(
          { leaseUntil: claim.leaseUntil },
          'delivery held by another run, re-checking after its lease'
        )
        return
      }
      throw busy
    }
    const { runId } = claim
    const stopRenewing = this.#renewWhileRunning([id], runId, logger)
    try {
      await this.#runHandler(subscription, event, runId, context.attempt + (data.attemptsBefore ?? 0), logger)
    } catch (error) {
      stopRenewing()
      const final = isLastAttempt(context)
      const failure = error instanceof Error ? error : new Error(String(error))
      const recorded = await this.store.recordFailure(id, runId, failure, final)
      if (!recorded) logger.warn('run lost its claim on the delivery; its failure is not recorded')
      logger.warn(
        { final, err: { message: failure.message } },
        final ? 'event delivery failed' : 'event delivery will retry'
      )
      throw failure
    }
    stopRenewing()
    if (!(await this.store.completeDelivery(id, runId)))
      logger.warn('run lost its claim on the delivery (lease taken over); the holder records the outcome')
  }

  /**
   * Runs the deliveries of a group job (enqueueDeliveriesMany) in chunks: each chunk claimed with one write
   * and one read under one run id, its handlers run concurrently, the successful ones completed with one
   * write. A delivery that failed continues as a job of its own (its attempts counted on, the same backoff);
   * one held by another live run is looked at again once that lease lapses, as a single delivery's last
   * attempt does. Only a failure of the shared bookkeeping fails the group job, whose retry claims again
   * (settled deliveries are skipped).
   */
  async deliverGroup(
    data: DeliveryGroupJobData,
    context: Pick<JobRunContext, 'attempt' | 'job'>
  ): Promise<void> {
    const logger = this.#logger.child({
      handler: data.handler,
      group: data.group.length,
      attempt: context.attempt
    })
    const subscription = await this.#registeredHandler(data.handler, context, logger)
    const lastAttempt = isLastAttempt(context)
    const events = await this.#groupEvents(data)
    const carried = new Map(data.group.map((member) => [member.eventId, member.event]))
    const pending: Error[] = []
    const busy: { event: OutboxDocument; leaseUntil: Date | null }[] = []
    try {
      // A few handlers at once, each chunk claimed just before it runs (so no claimed member waits for a
      // lease it is not renewed under) and completed with one write: a crash repeats at most one chunk's
      // handlers, as a single delivery repeats its one.
      for (let start = 0; start < events.length; start += DELIVERY_GROUP_CONCURRENCY) {
        const chunk = events.slice(start, start + DELIVERY_GROUP_CONCURRENCY)
        await this.#deliverChunk(chunk, subscription, carried, lastAttempt, pending, busy, logger)
      }
    } finally {
      // Members another run holds, looked at again once that lease lapses: also when a step above threw.
      for (const { event, leaseUntil } of busy) {
        const single = { eventId: event._id, handler: data.handler, event: carried.get(event._id) }
        await this.#retryAfterLease(single, subscription, leaseUntil).catch((error: Error) =>
          pending.push(error)
        )
      }
    }
    // A retry that could not be queued: the group job runs again (its members are claimable again).
    if (pending.length > 0) throw pending[0]
  }

  /** The handler a delivery job names; a handler removed by a deploy discards the job (retrying is pointless). */
  async #registeredHandler(
    handler: string,
    context: Pick<JobRunContext, 'job'>,
    logger: Logger
  ): Promise<Subscription> {
    const subscription = this.#byHandler.get(handler)
    if (subscription) return subscription
    logger.error('event handler not registered in this process')
    await context.job.discard()
    throw new Error(`Event handler ${handler} is not registered`)
  }

  async #deliverChunk(
    events: OutboxDocument[],
    subscription: Subscription,
    carried: Map<string, string | undefined>,
    lastAttempt: boolean,
    pending: Error[],
    busy: { event: OutboxDocument; leaseUntil: Date | null }[],
    logger: Logger
  ): Promise<void> {
    const handler = subscription.handlerName
    const { runId, claims } = await this.store.claimDeliveries(events, handler, this.#options.deliveryLeaseMs)
    const claimed: { event: OutboxDocument; attempts: number }[] = []
    for (const [index, claim] of claims.entries()) {
      if (claim.state === 'claimed') claimed.push({ event: events[index], attempts: claim.attempts })
      else if (claim.state === 'busy') busy.push({ event: events[index], leaseUntil: claim.leaseUntil })
    }
    if (claimed.length === 0) return
    const ids = claimed.map(({ event }) => deliveryId(event._id, handler))
    const stopRenewing = this.#renewWhileRunning(ids, runId, logger)
    let outcomes: PromiseSettledResult<void>[]
    try {
      outcomes = await Promise.allSettled(
        claimed.map(({ event, attempts }) =>
          this.#runHandler(subscription, event, runId, attempts, logger.child({ eventId: event._id }))
        )
      )
    } finally {
      stopRenewing()
    }
    const succeeded = ids.filter((_, index) => outcomes[index].status === 'fulfilled')
    const held = await this.store.completeDeliveries(succeeded, runId)
    if (held < succeeded.length)
      logger.warn({ lost: succeeded.length - held }, 'run lost its claim on deliveries (lease taken over)')
    for (const [index, outcome] of outcomes.entries()) {
      if (outcome.status !== 'rejected') continue
      const failure = outcome.reason instanceof Error ? outcome.reason : new Error(String(outcome.reason))
      const error = await this.#failMember(
        claimed[index],
        subscription,
        carried,
        runId,
        failure,
        lastAttempt,
        logger
      )
      if (error) pending.push(error)
    }
  }

  /**
   * A failed member continues as a job of its own with the attempts it has left (counted on the delivery
   * record), queued before its failure is recorded so that no record says "retrying" without a job behind it.
   * When the job cannot be queued: recorded as retrying (claimable by the group's next run) and the error
   * returned, or failed (visible, replayable) on the group's last attempt.
   */
  async #failMember(
    member: { event: OutboxDocument; attempts: number },
    subscription: Subscription,
    carried: Map<string, string | undefined>,
    runId: string,
    failure: Error,
    lastAttempt: boolean,
    logger: Logger
  ): Promise<Error | undefined> {
    const { event, attempts } = member
    const id = deliveryId(event._id, subscription.handlerName)
    const left = subscription.attempts - attempts
    let queueError: Error | undefined
    if (left > 0) {
      try {
        await this.#enqueueRetry(event, subscription, carried.get(event._id), attempts, left)
      } catch (error) {
        queueError = error as Error
      }
    }
    const final = left <= 0 || (queueError !== undefined && lastAttempt)
    if (!(await this.store.recordFailure(id, runId, failure, final))) {
      logger.warn({ eventId: event._id }, 'run lost its claim on the delivery; its failure is not recorded')
      return undefined
    }
    logger.warn(
      { eventId: event._id, final, err: { message: failure.message } },
      final ? 'event delivery failed' : 'event delivery will retry'
    )
    return final ? undefined : queueError
  }

  /** A group's events: those it carries, the others read from the outbox in one query (in group order). */
  async #groupEvents(data: DeliveryGroupJobData): Promise<OutboxDocument[]> {
    const carried = data.group.map((member) => eventCarriedBy({ ...member, handler: data.handler }))
    const missing = data.group.filter((_, index) => !carried[index]).map((member) => member.eventId)
    const read =
      missing.length > 0
        ? new Map(
            (await this.store.outbox.find({ _id: { $in: missing } }).toArray()).map((event) => [
              event._id,
              event
            ])
          )
        : new Map<string, OutboxDocument>()
    return data.group.map((member, index) => {
      const event = carried[index] ?? read.get(member.eventId)
      if (!event)
        throw new Error(`Event ${member.eventId} not found in the outbox (transaction not committed yet?)`)
      return event
    })
  }

  /** A failed group delivery as a job of its own, after the backoff, with the attempts it has left. */
  async #enqueueRetry(
    event: OutboxDocument,
    subscription: Subscription,
    carried: string | undefined,
    attemptsBefore: number,
    attemptsLeft: number
  ): Promise<void> {
    const data: DeliveryJobData = { eventId: event._id, handler: subscription.handlerName, attemptsBefore }
    if (carried !== undefined) data.event = carried
    await this.#addDeliveryJob(data, subscription, {
      // Its own id per attempt: a single job of this delivery may exist already (kept after completing
      // elsewhere), and a group rerun that failed the member at the same attempt makes the same job.
      jobId: `${deliveryId(event._id, subscription.handlerName)}:retry:${attemptsBefore}`,
      attempts: attemptsLeft,
      delay: subscription.backoffMs
    })
  }

  /** One handler run for one claimed delivery, in the event's tenant scope, fenced on the run id. */
  async #runHandler(
    subscription: Subscription,
    event: OutboxDocument,
    runId: string,
    attempt: number,
    logger: Logger
  ): Promise<void> {
    const id = deliveryId(event._id, subscription.handlerName)
    const handlerContext: EventHandlerContext = {
      attempt,
      logger,
      once: (key, fn) => this.#once(id, runId, key, fn)
    }
    const domainEvent = toDomainEvent(event)
    await runAsSystem(
      subscription.handlerName,
      event.tenantId ?? undefined,
      async () => {
        await subscription.handler(domainEvent, handlerContext)
      },
      event._id
    )
  }

  /** Keeps the deliveries' lease (and the run's pending once() steps) alive while the handlers run. */
  #renewWhileRunning(ids: string[], runId: string, logger: Logger): () => void {
    const leaseMs = this.#options.deliveryLeaseMs
    const timer = setInterval(
      () => {
        Promise.all([
          this.store.renewLeases(ids, runId, leaseMs),
          this.store.renewPendingSteps(runId, leaseMs)
        ]).catch((error: Error) =>
          logger.warn({ err: { message: error.message } }, 'delivery lease renewal failed')
        )
      },
      Math.max(10, Math.floor(leaseMs / 3))
    )
    timer.unref()
    return () => clearInterval(timer)
  }

  /** A fresh job (own id, so Bull does not deduplicate it) that claims again once the lease lapsed. */
  async #retryAfterLease(data: DeliveryJobData, subscription: Subscription, leaseUntil: Date | null) {
    const lapsesAt = leaseUntil?.getTime() ?? Date.now()
    await this.#addDeliveryJob(data, subscription, {
      jobId: `${deliveryId(data.eventId, data.handler)}:after-lease:${lapsesAt}`,
      // A delivery that already ran elsewhere (a group) keeps only the attempts it has left.
      attempts: Math.max(1, subscription.attempts - (data.attemptsBefore ?? 0)),
      delay: Math.max(0, lapsesAt - Date.now()) + 50
    })
  }

  /**
   * Runs `fn` at most once to completion per (delivery, key): the run first inserts a pending record
   * (unique id) and only the winner runs `fn`. A run that finds another run's live pending step fails
   * this attempt (the delivery retries). A pending step whose run died keeps a lease that lapses, and a
   * later run takes it over and runs `fn` again: after a crash the step is at-least-once, so steps
   * with outside effects pass their own idempotency key.
   */
  async #once<T>(delivery: string, runId: string, key: string, fn: () => Promise<T>): Promise<T> {
    const id = `${delivery}:${key}`
    const leaseMs = this.#options.deliveryLeaseMs
    const now = new Date()
    const pending = {
      state: 'pending' as const,
      runId,
      leaseUntil: new Date(now.getTime() + leaseMs),
      result: null,
      at: now
    }
    try {
      await this.store.effects.insertOne({ _id: id, ...pending })
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error
      const existing = await this.store.effects.findOne({ _id: id })
      if (existing && existing.state !== 'pending') return existing.result as T
      const takenOver = await this.store.effects.findOneAndUpdate(
        { _id: id, state: 'pending', leaseUntil: { $lte: now } },
        { $set: pending }
      )
      if (!takenOver) throw new Error(`Step ${key} of delivery ${delivery} is running in another run`)
    }
    let result: T
    try {
      result = await fn()
    } catch (error) {
      // Nothing was done (or the step undoes itself): let the next attempt run it again.
      await this.store.effects.deleteOne({ _id: id, runId, state: 'pending' })
      throw error
    }
    await this.store.effects.updateOne(
      { _id: id, runId, state: 'pending' },
      {
        $set: { state: 'done', result: result ?? null, at: new Date() },
        $unset: { leaseUntil: '', runId: '' }
      }
    )
    return result
  }

  /** Puts a failed delivery back on the queue with fresh attempts. */
  async replay(id: string): Promise<DeliveryDocument> {
    const delivery = await this.store.deliveries.findOne({ _id: id })
    if (!delivery) throw notFound(`No event delivery ${id}`)
    if (delivery.status !== 'failed') {
      throw conflict(`Only failed deliveries can be replayed; ${id} is ${delivery.status}`, {
        status: delivery.status
      })
    }
    const subscription = this.#byHandler.get(delivery.handler)
    if (!subscription) throw conflict(`Event handler ${delivery.handler} is not registered in this process`)
    const queue = this.#queues.queue(EVENT_DELIVERY_QUEUE)
    // The failed job still holds the id; remove it so the replay is not deduplicated away.
    const previous = await queue.getJob(id)
    if (previous) await previous.remove()
    // Conditional on 'failed': of two admins replaying at once, only one re-enqueues.
    const pending = await this.store.deliveries.findOneAndUpdate(
      { _id: id, status: 'failed' },
      { $set: { status: 'pending', updatedAt: new Date() }, $inc: { replays: 1 }, $unset: { failedAt: '' } },
      { returnDocument: 'after' }
    )
    if (!pending) throw conflict(`Delivery ${id} is already being replayed`)
    try {
      await this.#enqueueDelivery(delivery.eventId, subscription, undefined)
    } catch (error) {
      // Nothing will run it: put it back to failed so it stays visible and can be replayed later.
      await this.store.deliveries.updateOne(
        { _id: id, status: 'pending' },
        { $set: { status: 'failed', failedAt: new Date() } }
      )
      throw new Unavailable('Job queue unavailable; the delivery stays failed, replay it later', {
        code: ErrorCode.INTERNAL,
        reason: (error as Error).message
      })
    }
    this.#logger.info({ deliveryId: id }, 'failed event delivery replayed')
    return pending
  }
}

/** A re-emission returns the stored event; the same id under another name is a caller bug. */
function reemitted<N extends EventName>(stored: OutboxDocument, name: N): DomainEvent<N> {
  if (stored.name !== name) throw conflict(`Event id ${stored._id} is already used by ${stored.name}`)
  return toDomainEvent(stored) as DomainEvent<N>
}

/** One id per handler and exact list of events. */
function groupJobId(handler: string, events: OutboxDocument[]): string {
  const members = createHash('sha256')
  // Sorted: a pass repeated may order events of one instant differently; the same members are one job.
  for (const id of events.map((event) => event._id).sort()) members.update(`${id}\n`)
  return `group:${handler}:${members.digest('hex')}`
}

/** The event's immutable fields as base64 BSON, or undefined when too large to carry in a job. */
function carriedEvent(event: OutboxDocument): string | undefined {
  const { _id, name, tenantId, occurredAt, payload, causationId } = event
  // As the driver writes it (an undefined field stored as null).
  const bytes = BSON.serialize(
    { _id, name, tenantId, occurredAt, payload, causationId },
    { ignoreUndefined: false }
  )
  return bytes.length <= CARRIED_EVENT_MAX_BYTES ? Buffer.from(bytes).toString('base64') : undefined
}

/** The outbox document a job carries (the one it was enqueued for), or null to read it from the outbox. */
function eventCarriedBy(data: DeliveryJobData): OutboxDocument | null {
  if (typeof data.event !== 'string') return null
  const event = BSON.deserialize(Buffer.from(data.event, 'base64')) as OutboxDocument
  return event?._id === data.eventId ? event : null
}

function toDomainEvent(document: OutboxDocument): DomainEvent {
  return {
    id: document._id,
    name: document.name as EventName,
    tenantId: document.tenantId,
    occurredAt: new Date(document.occurredAt).toISOString(),
    payload: document.payload as any,
    ...(document.causationId ? { causationId: document.causationId } : {})
  }
}

function isLastAttempt(context: Pick<JobRunContext, 'attempt' | 'job'>): boolean {
  return context.attempt >= (context.job.opts.attempts ?? 1)
}
