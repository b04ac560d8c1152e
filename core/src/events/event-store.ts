// MongoDB collections behind durable events: the outbox (every emitted event, written before any
// enqueue), per-(event, handler) delivery records (exactly-once effect), and per-step effect records.

import { randomUUID } from 'node:crypto'
import type { ClientSession, Connection } from 'mongoose'
import { isDuplicateKeyError } from '../data/duplicate-key.ts'

export const OUTBOX_COLLECTION = 'events_outbox'
export const DELIVERIES_COLLECTION = 'event_deliveries'
export const EFFECTS_COLLECTION = 'event_effects'

/** Completed deliveries and dispatched events are kept long enough to absorb any late duplicate. */
const RETENTION_SECONDS = 30 * 24 * 3600

export interface OutboxDocument {
  _id: string
  name: string
  tenantId: string | null
  occurredAt: Date
  payload: unknown
  causationId?: string
  /** Null until every subscribed handler's job is in Redis. */
  dispatchedAt: Date | null
  /** Whoever holds an unexpired lease is dispatching it; the relay takes expired ones. */
  leaseUntil?: Date
  /** Token of the relay pass that took the lease (leaseUndispatchedMany reads back what it won). */
  leasedBy?: string
}

export type DeliveryStatus = 'running' | 'retrying' | 'completed' | 'failed' | 'pending'

export interface DeliveryDocument {
  /** `${eventId}:${handler}`: also the Bull job id, so enqueueing twice is harmless. */
  _id: string
  eventId: string
  eventName: string
  handler: string
  tenantId: string | null
  status: DeliveryStatus
  /** Handler runs started (including retries and stalled re-runs). */
  attempts: number
  leaseUntil?: Date
  /** Token of the run holding the lease; every write of a run is fenced on it. */
  runId?: string
  lastError?: { name: string; message: string }
  createdAt: Date
  updatedAt: Date
  completedAt?: Date
  failedAt?: Date
  replays?: number
}

export interface EffectDocument {
  _id: string
  /** 'pending' while the winning run executes the step; only 'done' records carry a result. */
  state?: 'pending' | 'done'
  result: unknown
  /** A pending step whose lease passed belongs to a run that died: another run may take it over. */
  leaseUntil?: Date
  runId?: string
  at: Date
}

export type DeliveryClaim =
  /** `attempts`: handler runs started so far, this one included. */
  | { state: 'claimed'; runId: string; attempts: number }
  /** Completed, or failed for good (final until a replay makes it pending again): nothing to run. */
  | { state: 'settled'; status: 'completed' | 'failed' }
  | { state: 'busy'; leaseUntil: Date | null }

/** A delivery a new run may take: not settled, and its lease (if any) lapsed. */
function claimFilter(id: string, now: Date) {
  return {
    _id: id,
    status: { $nin: ['completed' as const, 'failed' as const] },
    $or: [{ leaseUntil: { $exists: false } }, { leaseUntil: { $lte: now } }]
  }
}

function claimUpdate(event: OutboxDocument, handler: string, runId: string, leaseUntil: Date, now: Date) {
  return {
    $set: { status: 'running' as const, runId, leaseUntil, updatedAt: now },
    $inc: { attempts: 1 },
    $setOnInsert: {
      eventId: event._id,
      eventName: event.name,
      handler,
      tenantId: event.tenantId,
      createdAt: now
    }
  }
}

/** What a claim attempt left in the record: this run's claim, a settled delivery, or another run's lease. */
function claimOutcome(
  record: Pick<DeliveryDocument, 'status' | 'runId' | 'leaseUntil' | 'attempts'> | null,
  runId: string
): DeliveryClaim {
  if (record?.status === 'running' && record.runId === runId)
    return { state: 'claimed', runId, attempts: record.attempts }
  if (record?.status === 'completed' || record?.status === 'failed')
    return { state: 'settled', status: record.status }
  return { state: 'busy', leaseUntil: record?.leaseUntil ?? null }
}

export function deliveryId(eventId: string, handler: string): string {
  return `${eventId}:${handler}`
}

export { isDuplicateKeyError }

export class EventStore {
  readonly #connection: Connection

  constructor(connection: Connection) {
    this.#connection = connection
  }

  get outbox() {
    return this.#connection.collection<OutboxDocument>(OUTBOX_COLLECTION)
  }
  get deliveries() {
    return this.#connection.collection<DeliveryDocument>(DELIVERIES_COLLECTION)
  }
  get effects() {
    return this.#connection.collection<EffectDocument>(EFFECTS_COLLECTION)
  }

  async ensureIndexes(): Promise<void> {
    await this.outbox.createIndex({ dispatchedAt: 1, leaseUntil: 1 }, { name: 'undispatched' })
    await this.outbox.createIndex(
      { dispatchedAt: 1 },
      {
        name: 'retention',
        expireAfterSeconds: RETENTION_SECONDS,
        partialFilterExpression: { dispatchedAt: { $type: 'date' } }
      }
    )
    await this.deliveries.createIndex({ eventId: 1, handler: 1 }, { name: 'event_handler', unique: true })
    await this.deliveries.createIndex({ status: 1, updatedAt: -1 }, { name: 'status' })
    await this.deliveries.createIndex(
      { completedAt: 1 },
      { name: 'retention', expireAfterSeconds: RETENTION_SECONDS }
    )
    await this.effects.createIndex({ at: 1 }, { name: 'retention', expireAfterSeconds: RETENTION_SECONDS })
    await this.effects.createIndex(
      { runId: 1 },
      { name: 'pending_by_run', partialFilterExpression: { state: 'pending' } }
    )
  }

  /**
   * Inserts the event; false when an event with this id already exists (re-emission). Inside a
   * transaction a duplicate key aborts the transaction on a replica set, so it cannot be swallowed:
   * the caller checks for the stored event first, and a duplicate that raced in is rethrown labelled
   * TransientTransactionError so withTransaction retries and then finds the stored event.
   */
  async insertEvent(document: OutboxDocument, session?: ClientSession): Promise<boolean> {
    try {
      await this.outbox.insertOne(document, session ? { session } : {})
      return true
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error
      if (session) {
        ;(error as { addErrorLabel?: (label: string) => void }).addErrorLabel?.('TransientTransactionError')
        throw error
      }
      return false
    }
  }

  /**
   * Inserts events in one write; returns the ids that were already stored (re-emissions that raced in).
   * Inside a transaction nothing can be swallowed (see insertEvent): the first duplicate is rethrown
   * labelled TransientTransactionError.
   */
  async insertEvents(documents: OutboxDocument[], session?: ClientSession): Promise<Set<string>> {
    const duplicates = new Set<string>()
    if (documents.length === 0) return duplicates
    try {
      await this.outbox.insertMany(documents, session ? { session, ordered: true } : { ordered: false })
      return duplicates
    } catch (error) {
      const writeErrors = (error as { writeErrors?: unknown }).writeErrors
      const failures = (Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : []) as {
        code?: number
        index: number
      }[]
      const onlyDuplicates =
        isDuplicateKeyError(error) ||
        (failures.length > 0 && failures.every((failure) => failure.code === 11000))
      if (!onlyDuplicates) throw error
      if (session) {
        ;(error as { addErrorLabel?: (label: string) => void }).addErrorLabel?.('TransientTransactionError')
        throw error
      }
      for (const failure of failures) duplicates.add(documents[failure.index]._id)
      return duplicates
    }
  }

  async markDispatched(eventId: string): Promise<void> {
    await this.outbox.updateOne(
      { _id: eventId },
      { $set: { dispatchedAt: new Date() }, $unset: { leaseUntil: '' } }
    )
  }

  /** markDispatched for several events at once (a relay pass). */
  async markDispatchedMany(eventIds: string[]): Promise<void> {
    if (eventIds.length === 0) return
    await this.outbox.updateMany(
      { _id: { $in: eventIds } },
      { $set: { dispatchedAt: new Date() }, $unset: { leaseUntil: '' } }
    )
  }

  /** Lets the relay take the event on its next poll (after a failed enqueue). */
  async releaseLease(eventId: string): Promise<void> {
    await this.outbox.updateOne({ _id: eventId, dispatchedAt: null }, { $set: { leaseUntil: new Date(0) } })
  }

  /**
   * Ids of up to `limit` undispatched events whose lease expired, oldest first: one query per relay pass
   * (taking them one by one with a sorted findOneAndUpdate examined every waiting event per event).
   */
  async undispatchedIds(limit: number): Promise<string[]> {
    const waiting = await this.outbox
      .find(
        { dispatchedAt: null, leaseUntil: { $lte: new Date() } },
        { projection: { _id: 1 }, sort: { occurredAt: 1 }, limit }
      )
      .toArray()
    return waiting.map((document) => document._id)
  }

  /**
   * Leases those of `eventIds` still undispatched and unleased for `leaseMs`, in one write, and returns
   * them (in `eventIds` order): the ids another relay or the emitter holds are left out. Two writes for a
   * relay pass instead of one findAndModify per event.
   */
  async leaseUndispatchedMany(eventIds: string[], leaseMs: number): Promise<OutboxDocument[]> {
    if (eventIds.length === 0) return []
    const now = new Date()
    const token = randomUUID()
    await this.outbox.updateMany(
      { _id: { $in: eventIds }, dispatchedAt: null, leaseUntil: { $lte: now } },
      { $set: { leaseUntil: new Date(now.getTime() + leaseMs), leasedBy: token } }
    )
    const leased = await this.outbox.find({ _id: { $in: eventIds }, leasedBy: token }).toArray()
    const byId = new Map(leased.map((document) => [document._id, document]))
    return eventIds.flatMap((id) => byId.get(id) ?? [])
  }

  /**
   * Claims one (event, handler) delivery for a run. 'completed': already done, skip. 'busy': another
   * run holds an unexpired lease (retry later). 'claimed': run the handler now; every later write of
   * this run is fenced on the returned runId, so a run whose lease was taken over writes nothing.
   */
  async claimDelivery(event: OutboxDocument, handler: string, leaseMs: number): Promise<DeliveryClaim> {
    const id = deliveryId(event._id, handler)
    const now = new Date()
    const runId = randomUUID()
    try {
      const claimed = await this.deliveries.findOneAndUpdate(
        claimFilter(id, now),
        claimUpdate(event, handler, runId, new Date(now.getTime() + leaseMs), now),
        { upsert: true, returnDocument: 'after' }
      )
      if (claimed) return { state: 'claimed', runId, attempts: claimed.attempts }
    } catch (error) {
      // The upsert collided with an existing record that did not match: settled, or leased.
      if (!isDuplicateKeyError(error)) throw error
    }
    return claimOutcome(await this.deliveries.findOne({ _id: id }), runId)
  }

  /**
   * claimDelivery for several events of one handler with one run id: one write (an upsert per delivery,
   * unordered: a delivery completed or leased by another run makes its own upsert collide and leaves the
   * others alone) and one read of the outcome. Claims in `events` order.
   */
  async claimDeliveries(
    events: OutboxDocument[],
    handler: string,
    leaseMs: number
  ): Promise<{ runId: string; claims: DeliveryClaim[] }> {
    const now = new Date()
    const runId = randomUUID()
    const leaseUntil = new Date(now.getTime() + leaseMs)
    const ids = events.map((event) => deliveryId(event._id, handler))
    try {
      await this.deliveries.bulkWrite(
        events.map((event, index) => ({
          updateOne: {
            filter: claimFilter(ids[index], now),
            update: claimUpdate(event, handler, runId, leaseUntil, now),
            upsert: true
          }
        })),
        { ordered: false }
      )
    } catch (error) {
      // Collisions with completed or leased records are the expected "not yours"; anything else is not.
      const writeErrors: unknown[] | undefined = (error as any)?.writeErrors
      const collisionsOnly =
        Array.isArray(writeErrors) &&
        writeErrors.length > 0 &&
        writeErrors.every((writeError) => isDuplicateKeyError(writeError)) &&
        !(error as any)?.result?.getWriteConcernError?.()
      if (!collisionsOnly) throw error
    }
    const records = await this.deliveries
      .find({ _id: { $in: ids } }, { projection: { status: 1, runId: 1, leaseUntil: 1, attempts: 1 } })
      .toArray()
    const byId = new Map(records.map((record) => [record._id, record]))
    const claims = ids.map((id) => claimOutcome(byId.get(id) ?? null, runId))
    return { runId, claims }
  }

  /** completeDelivery for several deliveries of one run: how many it still held (the rest were taken over). */
  async completeDeliveries(ids: string[], runId: string): Promise<number> {
    if (ids.length === 0) return 0
    const now = new Date()
    const result = await this.deliveries.updateMany(
      { _id: { $in: ids }, runId, status: { $ne: 'completed' } },
      {
        $set: { status: 'completed', completedAt: now, updatedAt: now },
        $unset: { leaseUntil: '', lastError: '', runId: '' }
      }
    )
    return result.matchedCount
  }

  /** Extends the leases a live run holds (a run that lost a claim renews nothing there). */
  async renewLeases(ids: string[], runId: string, leaseMs: number): Promise<void> {
    const now = new Date()
    await this.deliveries.updateMany(
      { _id: { $in: ids }, runId, status: 'running' },
      { $set: { leaseUntil: new Date(now.getTime() + leaseMs), updatedAt: now } }
    )
  }

  /** Extends the lease of the once() steps a live run is executing. */
  async renewPendingSteps(runId: string, leaseMs: number): Promise<void> {
    await this.effects.updateMany(
      { runId, state: 'pending' },
      { $set: { leaseUntil: new Date(Date.now() + leaseMs) } }
    )
  }

  /** False when the run no longer holds the delivery (its write is dropped, never downgrading). */
  async completeDelivery(id: string, runId: string): Promise<boolean> {
    const now = new Date()
    const result = await this.deliveries.updateOne(
      { _id: id, runId, status: { $ne: 'completed' } },
      {
        $set: { status: 'completed', completedAt: now, updatedAt: now },
        $unset: { leaseUntil: '', lastError: '', runId: '' }
      }
    )
    return result.matchedCount === 1
  }

  /** Fenced like completeDelivery: a stale run can neither fail nor un-complete a delivery. */
  async recordFailure(id: string, runId: string, error: Error, final: boolean): Promise<boolean> {
    const now = new Date()
    const result = await this.deliveries.updateOne(
      { _id: id, runId, status: { $ne: 'completed' } },
      {
        $set: {
          status: final ? 'failed' : 'retrying',
          lastError: { name: error.name, message: error.message.slice(0, 2000) },
          updatedAt: now,
          ...(final ? { failedAt: now } : {})
        },
        $unset: { leaseUntil: '', runId: '' }
      }
    )
    return result.matchedCount === 1
  }
}
