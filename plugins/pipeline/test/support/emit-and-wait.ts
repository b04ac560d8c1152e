// Test support: emits a domain event through the app's real durable bus and waits until the pipeline's
// handler for it has completed (its delivery record says so), so assertions see the handled state.
import { randomUUID } from 'node:crypto'
import type { PipelineTestApp } from './pipeline-test-app.ts'
import { eventually } from './pipeline-test-app.ts'

export async function emitAndWait(
  t: PipelineTestApp,
  tenantId: string,
  name: string,
  payload: Record<string, unknown>,
  options: { id?: string; occurredAt?: Date } = {}
): Promise<string> {
  const bus = t.app.get('events') as any
  const event = await bus.emit(name, payload, { tenantId, id: options.id ?? `${name}:${randomUUID()}` })
  const deliveries = t.app.get('mongoose').collection('event_deliveries')
  await eventually(async () =>
    deliveries.findOne({ _id: `${event.id}:pipeline.${name}` as any, status: 'completed' })
  )
  return event.id
}
