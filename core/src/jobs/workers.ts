// Starts the processors of every registered job in this process (the `worker` process, or the API
// process when config.runWorkersInProcess) and schedules repeatable jobs; each run is tenant-scoped.
import type Bull from 'bull'
import type { Logger } from 'pino'
import { runAsSystem } from '../context/request-scope.ts'
import { defaultJobOptions } from './job-options.ts'
import type { JobDefinition, JobEnvelope, JobRegistry } from './job-registry.ts'
import type { QueueFactory } from './queue-factory.ts'
import { scheduleForTenant } from './tenant-repeatable-schedules.ts'

export interface Workers {
  /** Stops taking new jobs and waits for the active ones (graceful drain). */
  stop(): Promise<void>
}

export async function startJobWorkers(
  registry: JobRegistry,
  factory: QueueFactory,
  logger: Logger
): Promise<Workers> {
  const started: Bull.Queue[] = []
  for (const definition of registry.definitions()) {
    const queue = factory.queue(definition.queue)
    // Bull's process() settles only when the queue stops, and rejects when its connections are closed
    // while it is still starting (a shutdown right after boot): unobserved, that would end the process.
    queue
      .process(definition.concurrency ?? 1, (job: Bull.Job<JobEnvelope>) => runJob(definition, job, logger))
      .catch((error: Error) => {
        if ((queue as unknown as { closing?: unknown }).closing) return
        logger.error(
          { code: 'JOB_WORKER_FAILED', queue: definition.queue, err: { message: error.message } },
          'job worker could not start'
        )
      })
    queue.on('failed', (job, error) => {
      const final = job.attemptsMade >= (job.opts.attempts ?? 1)
      logger.warn(
        {
          queue: definition.queue,
          jobId: job.id,
          attempt: job.attemptsMade,
          final,
          err: { message: error.message }
        },
        final ? 'job failed permanently' : 'job failed, will retry'
      )
    })
    started.push(queue)
    if (definition.repeat) await scheduleRepeatable(queue, definition)
  }
  logger.info({ queues: started.map((queue) => queue.name) }, 'job workers started')
  return {
    async stop() {
      await Promise.all(started.map((queue) => queue.close().catch(() => undefined)))
    }
  }
}

async function runJob(definition: JobDefinition, job: Bull.Job<JobEnvelope>, logger: Logger): Promise<void> {
  const tenantId = job.data?.tenantId ?? null
  const jobId = String(job.id)
  const jobLogger = logger.child({ queue: definition.queue, jobId, tenantId })
  return runAsSystem(
    definition.queue,
    tenantId ?? undefined,
    async () => {
      if (definition.shouldRun && !(await definition.shouldRun(tenantId))) {
        jobLogger.info('job skipped: not enabled for tenant')
        return
      }
      await definition.handle(job.data?.data, {
        tenantId,
        attempt: job.attemptsMade + 1,
        jobId,
        logger: jobLogger,
        job
      })
    },
    `job-${definition.queue}-${jobId}`
  )
}

/**
 * Bull keys a repeatable job by name + cron + jobId, so scheduling again on every boot is harmless.
 * The jobId must not contain ':' (Bull splits its repeat keys on it).
 */
async function scheduleRepeatable(queue: Bull.Queue, definition: JobDefinition): Promise<void> {
  const repeat = definition.repeat
  if (!repeat) return
  const options = defaultJobOptions({ attempts: definition.attempts, backoffMs: definition.backoffMs })
  if (!repeat.perTenant) {
    await queue.add({ tenantId: null, data: {} } satisfies JobEnvelope, {
      ...options,
      jobId: 'repeat-global',
      repeat: { cron: repeat.cron }
    })
    return
  }
  // Later enable/disable changes are applied by the plugin host's schedule subscriber.
  for (const tenantId of (await repeat.tenantIds?.()) ?? [])
    await scheduleForTenant(queue, definition, tenantId)
}
