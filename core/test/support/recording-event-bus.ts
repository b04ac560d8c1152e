// Test double of the event bus: records emitted domain events (deduplicated by id, as the durable bus is)
// for tests of the code that emits them; delivery to handlers is the durable bus's concern, tested there.
import { randomBytes } from 'node:crypto'
import type { DomainEvent, EventBus } from '../../src/events/domain-events.ts'

export class RecordingEventBus implements EventBus {
  readonly emitted: DomainEvent[] = []

  async emit(name: any, payload: any, options: any = {}) {
    const event = {
      id: options.id ?? randomBytes(8).toString('hex'),
      name,
      tenantId: options.tenantId ?? null,
      occurredAt: new Date().toISOString(),
      payload
    }
    if (!this.emitted.some((existing) => existing.id === event.id)) this.emitted.push(event as DomainEvent)
    return event as any
  }

  async emitMany(events: { name: any; payload: any; id: string }[], options: any = {}) {
    const results: DomainEvent[] = []
    for (const event of events) {
      const stored = this.emitted.find((existing) => existing.id === event.id)
      if (stored && stored.name !== event.name)
        throw new Error(`Event id ${event.id} is already used by ${stored.name}`)
      results.push(stored ?? (await this.emit(event.name, event.payload, { ...options, id: event.id })))
    }
    return results
  }

  subscribe() {}
}
