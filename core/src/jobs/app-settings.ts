// Adds the job infrastructure to the app's settings (`app.get('queues')`, `app.get('jobs')`).
import type { JobRegistry } from './job-registry.ts'
import type { QueueFactory } from './queue-factory.ts'
import type { Workers } from './workers.ts'

declare module '../app/declarations.ts' {
  interface AppSettings {
    /** Bull queues of this process (core/src/jobs). */
    queues: QueueFactory
    /** Every job this process knows: plugins' jobs and the event deliveries. */
    jobs: JobRegistry
    /** Running workers, when this process runs them. */
    workers?: Workers
  }
}
