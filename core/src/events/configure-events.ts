// Wires durable events, jobs and email into the app: queue factory, job registry, event bus (+ relay
// and the deliveries admin service), email provider; workers start with the app when configured.
import type Bull from 'bull'
import type { Application } from '../app/declarations.ts'
import { createEmailProvider } from '../email/create-email-provider.ts'
import '../jobs/app-settings.ts'
import { JobRegistry } from '../jobs/job-registry.ts'
import { createQueueFactory } from '../jobs/queue-factory.ts'
import { startWorkers, stopWorkers } from '../jobs/start-workers.ts'
import { registerEventDeliveriesService } from './deliveries-service.ts'
import { DurableEventBus, type DurableEventBusOptions } from './durable-event-bus.ts'
import { startOutboxRelay } from './outbox-relay.ts'

export interface ConfigureEventsOptions {
  bus?: Omit<DurableEventBusOptions, 'connection' | 'queues' | 'logger'>
  relay?: { pollMs?: number; leaseMs?: number; batchSize?: number }
  /** Bull settings (lock duration, stalled checks) for this app's queues. */
  queueSettings?: Partial<Bull.AdvancedSettings>
}

/** Needs `config`, `logger` and `mongoose` on the app. Call before loadPlugins. */
export async function configureEvents(app: Application, options: ConfigureEventsOptions = {}): Promise<void> {
  const config = app.get('config')
  const logger = app.get('logger')
  const connection = app.get('mongoose')
  const queues = createQueueFactory({
    redisUrl: config.redisUrl,
    prefix: config.queuePrefix,
    logger,
    settings: options.queueSettings
  })
  const jobs = new JobRegistry(queues)
  const bus = new DurableEventBus({ connection, queues, logger, ...options.bus })
  await bus.store.ensureIndexes()
  jobs.define(bus.deliveryJob())
  app.set('queues', queues)
  app.set('jobs', jobs)
  app.set('events', bus)
  app.set('email', createEmailProvider(config, logger, connection))
  registerEventDeliveriesService(app, bus)
  const relay = startOutboxRelay({ bus, queues, logger, ...options.relay })

  if (config.runWorkersInProcess) {
    // After setup, i.e. once the app listens: by then loadPlugins has defined every job.
    app.hooks({
      setup: [
        async (_context: unknown, next: () => Promise<void>) => {
          await next()
          await startWorkers(app)
        }
      ]
    } as any)
  }
  // Feathers teardown (app.teardown(), called by the shutdown path) drains workers, then disconnects.
  app.hooks({
    teardown: [
      async (_context: unknown, next: () => Promise<void>) => {
        await next()
        await relay.stop()
        await stopWorkers(app)
        await queues.close()
      }
    ]
  } as any)
}
