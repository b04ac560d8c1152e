// The jobs a process knows about (by full queue name) and the one way to enqueue them: every job
// carries its tenant so the worker runs it in that tenant's scope.
import type Bull from 'bull'
import type { Logger } from 'pino'
import { currentScope } from '../context/request-scope.ts'
import { defaultJobOptions } from './job-options.ts'
import { addJobNow, type QueueFactory } from './queue-factory.ts'

/** What is stored in Redis for every job: the tenant whose scope it runs in, and its own data. */
export interface JobEnvelope<Data = unknown> {
  tenantId: string | null
  data: Data
}

export interface JobRunContext {
  tenantId: string | null
  /** 1 on the first try. */
  attempt: number
  jobId: string
  logger: Logger
  job: Bull.Job<JobEnvelope>
}

export interface JobDefinition<Data = any> {
  /** Full queue name: `<plugin>.<job>` for plugins, `events.deliveries` for the event bus. */
  queue: string
  /** The owning plugin: its per-tenant schedules follow that plugin's enablement. */
  plugin?: string
  /** Must be idempotent: jobs are delivered at least once (retries, stalled re-runs). */
  handle: (data: Data, context: JobRunContext) => Promise<void>
  attempts?: number
  backoffMs?: number
  concurrency?: number
  /** Repeatable: once globally, or once per tenant returned by `tenantIds`. */
  repeat?: { cron: string; perTenant: boolean; tenantIds?: () => Promise<string[]> }
  /** Checked before each run: false skips the job (e.g. the tenant disabled the plugin since). */
  shouldRun?: (tenantId: string | null) => Promise<boolean>
}

export interface EnqueueJobOptions {
  /** Deduplicates while a job with this id exists in the queue. */
  jobId?: string
  delayMs?: number
  /** Defaults to the current request scope's tenant. */
  tenantId?: string | null
  /** How long to wait for Redis before failing with RedisUnavailableError (default 3 s). */
  timeoutMs?: number
}

export class JobRegistry {
  readonly #factory: QueueFactory
  readonly #definitions = new Map<string, JobDefinition>()

  constructor(factory: QueueFactory) {
    this.#factory = factory
  }

  define(definition: JobDefinition): void {
    if (this.#definitions.has(definition.queue))
      throw new Error(`Job queue ${definition.queue} is defined twice`)
    this.#definitions.set(definition.queue, definition)
  }

  get(queue: string): JobDefinition | undefined {
    return this.#definitions.get(queue)
  }

  definitions(): readonly JobDefinition[] {
    return [...this.#definitions.values()]
  }

  /**
   * Enqueue after the database write that needs the job succeeded. Fails with RedisUnavailableError
   * within `timeoutMs` while Redis is unreachable, instead of holding the caller (a public request)
   * until it comes back: callers either answer 503 or leave the work to their sweep.
   */
  async enqueue(
    queue: string,
    data: unknown,
    options: EnqueueJobOptions = {}
  ): Promise<Bull.Job<JobEnvelope>> {
    const definition = this.#definitions.get(queue)
    if (!definition) throw new Error(`Unknown job queue ${queue}`)
    const tenantId = options.tenantId !== undefined ? options.tenantId : (currentScope()?.tenantId ?? null)
    const envelope: JobEnvelope = { tenantId, data }
    const jobOptions: Bull.JobOptions = {
      ...defaultJobOptions({ attempts: definition.attempts, backoffMs: definition.backoffMs }),
      ...(options.jobId ? { jobId: options.jobId } : {}),
      ...(options.delayMs ? { delay: options.delayMs } : {})
    }
    return addJobNow(this.#factory, queue, envelope, jobOptions, options.timeoutMs) as Promise<
      Bull.Job<JobEnvelope>
    >
  }
}
