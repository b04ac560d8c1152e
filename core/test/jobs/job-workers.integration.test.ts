// Bull workers on the shared Redis: tenant scope per job, retries with backoff, dedupe by job id,
// bounded retention and graceful drain.
import { randomUUID } from 'node:crypto'
import pino from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import { currentScope } from '../../src/context/request-scope.ts'
import { JobRegistry } from '../../src/jobs/job-registry.ts'
import { createQueueFactory, type QueueFactory } from '../../src/jobs/queue-factory.ts'
import { startJobWorkers, type Workers } from '../../src/jobs/workers.ts'
import { waitUntil } from './wait-until.ts'

const logger = pino({ level: 'silent' })
const redisUrl = 'redis://127.0.0.1:6379'
let factory: QueueFactory | undefined
let workers: Workers | undefined

function setup() {
  factory = createQueueFactory({ redisUrl, prefix: `test-jobs-${randomUUID()}`, logger })
  return { factory, registry: new JobRegistry(factory) }
}

afterEach(async () => {
  await workers?.stop()
  await factory?.close()
  workers = undefined
  factory = undefined
})

describe('job workers', () => {
  it('runs each job in the scope of the tenant it was enqueued for', async () => {
    const { factory, registry } = setup()
    const seen: { data: unknown; tenantId?: string; actor?: unknown }[] = []
    registry.define({
      queue: 'notes.reminder',
      handle: async (data) => {
        const scope = currentScope()
        seen.push({ data, tenantId: scope?.tenantId, actor: scope?.actor })
      }
    })
    workers = await startJobWorkers(registry, factory, logger)
    await registry.enqueue('notes.reminder', { noteId: 'n1' }, { tenantId: 'tenant-a' })
    await waitUntil(() => seen.length === 1)
    expect(seen[0]).toEqual({
      data: { noteId: 'n1' },
      tenantId: 'tenant-a',
      actor: { kind: 'system', name: 'notes.reminder' }
    })
  })

  it('retries a failing job with backoff, then succeeds', async () => {
    const { factory, registry } = setup()
    const attempts: number[] = []
    const times: number[] = []
    registry.define({
      queue: 'notes.flaky',
      attempts: 3,
      backoffMs: 100,
      handle: async (_data, { attempt }) => {
        attempts.push(attempt)
        times.push(Date.now())
        if (attempt < 3) throw new Error('transient')
      }
    })
    workers = await startJobWorkers(registry, factory, logger)
    const job = await registry.enqueue('notes.flaky', {}, { tenantId: 't' })
    await waitUntil(() => attempts.length === 3)
    expect(attempts).toEqual([1, 2, 3])
    // Exponential: the second wait is about twice the first.
    expect(times[1] - times[0]).toBeGreaterThanOrEqual(90)
    expect(times[2] - times[1]).toBeGreaterThanOrEqual(190)
    const state = async () => (await factory.queue('notes.flaky').getJob(String(job.id)))?.getState()
    // removeOnComplete is bounded, not immediate: the completed job stays inspectable.
    await waitUntil(async () => (await state()) === 'completed')
  })

  it('does not enqueue a job twice under the same job id', async () => {
    const { factory, registry } = setup()
    let runs = 0
    registry.define({ queue: 'notes.once', handle: async () => void runs++ })
    await registry.enqueue('notes.once', {}, { tenantId: 't', jobId: 'same', delayMs: 300 })
    await registry.enqueue('notes.once', {}, { tenantId: 't', jobId: 'same', delayMs: 300 })
    expect(await factory.queue('notes.once').getDelayedCount()).toBe(1)
    workers = await startJobWorkers(registry, factory, logger)
    await waitUntil(() => runs === 1)
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(runs).toBe(1)
  })

  it('applies bounded retention to every job', async () => {
    const { registry } = setup()
    registry.define({ queue: 'notes.retained', handle: async () => undefined })
    const job = await registry.enqueue('notes.retained', {}, { tenantId: 't', delayMs: 60_000 })
    expect(job.opts.removeOnComplete).toEqual({ age: 86_400, count: 1000 })
    expect(job.opts.removeOnFail).toEqual({ age: 604_800, count: 1000 })
    expect(job.opts.attempts).toBe(5)
    expect(job.opts.backoff).toEqual({ type: 'exponential', delay: 1000 })
  })

  it('drains active jobs on stop before returning', async () => {
    const { factory, registry } = setup()
    let finished = false
    let startedRun = false
    registry.define({
      queue: 'notes.slow',
      handle: async () => {
        startedRun = true
        await new Promise((resolve) => setTimeout(resolve, 400))
        finished = true
      }
    })
    workers = await startJobWorkers(registry, factory, logger)
    await registry.enqueue('notes.slow', {}, { tenantId: 't' })
    await waitUntil(() => startedRun)
    await workers.stop()
    expect(finished).toBe(true)
  })

  it('fails an enqueue fast while Redis is unreachable instead of holding the caller', async () => {
    // Nothing listens on port 1: the connection never becomes ready.
    factory = createQueueFactory({
      redisUrl: 'redis://127.0.0.1:1',
      prefix: `test-jobs-${randomUUID()}`,
      logger
    })
    const registry = new JobRegistry(factory)
    registry.define({ queue: 'notes.reminder', handle: async () => undefined })
    const started = Date.now()
    await expect(
      registry.enqueue('notes.reminder', { noteId: 'n1' }, { tenantId: 't', timeoutMs: 300 })
    ).rejects.toMatchObject({ name: 'RedisUnavailableError' })
    expect(Date.now() - started).toBeLessThan(2_000)
  })

  it('shuts down right after starting without an unhandled rejection', async () => {
    const unhandled: unknown[] = []
    const record = (reason: unknown) => void unhandled.push(reason)
    process.on('unhandledRejection', record)
    try {
      for (let round = 0; round < 5; round++) {
        const { factory, registry } = setup()
        for (const name of ['notes.a', 'notes.b', 'notes.c'])
          registry.define({ queue: name, concurrency: 2, handle: async () => undefined })
        const started = await startJobWorkers(registry, factory, logger)
        // Workers are still connecting their blocking clients when the process is asked to stop.
        await Promise.all([started.stop(), factory.close()])
      }
      await new Promise((resolve) => setTimeout(resolve, 300))
    } finally {
      process.off('unhandledRejection', record)
    }
    expect(unhandled.map((reason) => String((reason as Error)?.stack ?? reason))).toEqual([])
  })

  it('refuses to define the same queue twice and to enqueue unknown jobs', async () => {
    const { registry } = setup()
    registry.define({ queue: 'notes.a', handle: async () => undefined })
    expect(() => registry.define({ queue: 'notes.a', handle: async () => undefined })).toThrow(
      /defined twice/
    )
    await expect(registry.enqueue('notes.missing', {})).rejects.toThrow(/Unknown job queue notes.missing/)
  })

  it('runs repeatable jobs once per tenant, each in its own tenant scope, and globally', async () => {
    const { factory, registry } = setup()
    const perTenant: (string | undefined)[] = []
    const global: (string | undefined)[] = []
    registry.define({
      queue: 'notes.digest',
      repeat: { cron: '* * * * * *', perTenant: true, tenantIds: async () => ['tenant-a', 'tenant-b'] },
      handle: async () => void perTenant.push(currentScope()?.tenantId)
    })
    registry.define({
      queue: 'platform.cleanup',
      repeat: { cron: '* * * * * *', perTenant: false },
      handle: async () => void global.push(currentScope()?.tenantId)
    })
    workers = await startJobWorkers(registry, factory, logger)
    await waitUntil(
      () => perTenant.includes('tenant-a') && perTenant.includes('tenant-b') && global.length > 0,
      5000
    )
    expect(new Set(perTenant)).toEqual(new Set(['tenant-a', 'tenant-b']))
    expect(new Set(global)).toEqual(new Set([undefined]))
    const repeatables = await factory.queue('notes.digest').getRepeatableJobs()
    expect(repeatables.map((job) => job.id).sort()).toEqual(['repeat-tenant-a', 'repeat-tenant-b'])
    // Scheduling again on the next boot does not add more schedules.
    await workers.stop()
    workers = await startJobWorkers(registry, factory, logger)
    expect(await factory.queue('notes.digest').getRepeatableJobs()).toHaveLength(2)
  })

  it('skips a job whose tenant no longer wants it, without failing it', async () => {
    const { factory, registry } = setup()
    const ran: (string | null)[] = []
    registry.define({
      queue: 'notes.sync',
      shouldRun: async (tenantId) => tenantId !== 'tenant-off',
      handle: async (_data, { tenantId }) => void ran.push(tenantId)
    })
    workers = await startJobWorkers(registry, factory, logger)
    const off = await registry.enqueue('notes.sync', {}, { tenantId: 'tenant-off' })
    await registry.enqueue('notes.sync', {}, { tenantId: 'tenant-on' })
    await waitUntil(async () => (await factory.queue('notes.sync').getCompletedCount()) === 2)
    expect(ran).toEqual(['tenant-on'])
    expect(await (await factory.queue('notes.sync').getJob(String(off.id)))?.getState()).toBe('completed')
  })
})
