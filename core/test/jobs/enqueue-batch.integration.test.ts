// Enqueues of one turn of the event loop go to Redis as one addBulk per queue, and each caller keeps what a
// single add gave it: its own job id and options, deduplication by id, a per-caller timeout.
import { randomUUID } from 'node:crypto'
import type Bull from 'bull'
import pino from 'pino'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { EnqueueBatch } from '../../src/jobs/enqueue-batch.ts'
import { JobRegistry } from '../../src/jobs/job-registry.ts'
import { createQueueFactory, type QueueFactory } from '../../src/jobs/queue-factory.ts'

const logger = pino({ level: 'silent' })
let factory: QueueFactory | undefined

function setup() {
  factory = createQueueFactory({
    redisUrl: 'redis://127.0.0.1:6379',
    prefix: `test-enqueue-batch-${randomUUID()}`,
    logger
  })
  const registry = new JobRegistry(factory)
  registry.define({ queue: 'notes.reminder', attempts: 4, backoffMs: 250, handle: async () => undefined })
  registry.define({ queue: 'notes.digest', handle: async () => undefined })
  return { factory, registry }
}

afterEach(async () => {
  await factory?.close()
  factory = undefined
  vi.restoreAllMocks()
})

describe('enqueue batch', () => {
  it('sends concurrent enqueues as one addBulk per queue, each job with its own id, data and options', async () => {
    const { factory, registry } = setup()
    await factory.waitRedisReady(2_000)
    const reminders = factory.queue('notes.reminder')
    const addBulk = vi.spyOn(reminders, 'addBulk')
    const add = vi.spyOn(reminders, 'add')
    const jobs = await Promise.all([
      ...Array.from({ length: 20 }, (_, n) =>
        registry.enqueue('notes.reminder', { n }, { tenantId: `t${n % 3}`, jobId: `reminder-${n}` })
      ),
      registry.enqueue(
        'notes.reminder',
        { late: true },
        { tenantId: 't0', jobId: 'reminder-late', delayMs: 60_000 }
      ),
      registry.enqueue('notes.digest', { digest: 1 }, { tenantId: 't1' })
    ])
    expect(addBulk).toHaveBeenCalledTimes(1)
    expect(add).not.toHaveBeenCalled()
    expect(jobs.slice(0, 20).map((job) => job.id)).toEqual(
      Array.from({ length: 20 }, (_, n) => `reminder-${n}`)
    )

    const stored = await reminders.getJob('reminder-7')
    expect(stored?.data).toEqual({ tenantId: 't1', data: { n: 7 } })
    expect(stored?.opts).toMatchObject({ attempts: 4, backoff: { type: 'exponential', delay: 250 } })
    expect(await reminders.getJobCounts()).toMatchObject({ waiting: 20, delayed: 1 })
    const late = await reminders.getJob('reminder-late')
    expect(late?.opts.delay).toBe(60_000)
    const digest = await factory.queue('notes.digest').getJob(jobs[21].id)
    expect(digest?.data).toEqual({ tenantId: 't1', data: { digest: 1 } })
  })

  it('keeps one job per id when the same id is enqueued twice in one batch or again later', async () => {
    const { factory, registry } = setup()
    await factory.waitRedisReady(2_000)
    const [first, second] = await Promise.all([
      registry.enqueue('notes.reminder', { attempt: 1 }, { tenantId: 't', jobId: 'same' }),
      registry.enqueue('notes.reminder', { attempt: 2 }, { tenantId: 't', jobId: 'same' })
    ])
    const third = await registry.enqueue('notes.reminder', { attempt: 3 }, { tenantId: 't', jobId: 'same' })
    expect([first.id, second.id, third.id]).toEqual(['same', 'same', 'same'])
    const queue = factory.queue('notes.reminder')
    expect(await queue.getJobCounts()).toMatchObject({ waiting: 1 })
    expect((await queue.getJob('same'))?.data.data).toEqual({ attempt: 1 })
  })

  it('fails every caller of a batch fast while Redis is unreachable', async () => {
    factory = createQueueFactory({ redisUrl: 'redis://127.0.0.1:1', prefix: `test-${randomUUID()}`, logger })
    const registry = new JobRegistry(factory)
    registry.define({ queue: 'notes.reminder', handle: async () => undefined })
    const started = Date.now()
    const results = await Promise.allSettled(
      [1, 2, 3].map((n) => registry.enqueue('notes.reminder', { n }, { tenantId: 't', timeoutMs: 300 }))
    )
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected', 'rejected'])
    for (const result of results)
      expect((result as PromiseRejectedResult).reason).toMatchObject({ name: 'RedisUnavailableError' })
    expect(Date.now() - started).toBeLessThan(2_000)
  })

  it('fails each caller on its own timeout when Redis does not answer, and one failed add alone', async () => {
    let answer: ((jobs: Partial<Bull.Job>[]) => void) | undefined
    const queue = {
      name: 'notes.stuck',
      add: vi.fn(),
      addBulk: vi.fn(() => new Promise<Partial<Bull.Job>[]>((resolve) => (answer = resolve)))
    } as unknown as Bull.Queue
    const batch = new EnqueueBatch((q) =>
      Object.assign(new Error(`${q.name} timed out`), { name: 'Timeout' })
    )
    const started = Date.now()
    const quick = batch.add(queue, { n: 1 }, {}, 100)
    const patient = batch.add(queue, { n: 2 }, {}, 5_000)
    const failed = batch.add(queue, { n: 3 }, {}, 5_000)
    await expect(quick).rejects.toMatchObject({ name: 'Timeout' })
    expect(Date.now() - started).toBeLessThan(1_000)
    expect(queue.addBulk).toHaveBeenCalledTimes(1)
    // Redis answers late: the patient caller gets its job, a job Bull reports without an id fails alone.
    answer!([{ id: 'a' }, { id: 'b' }, { id: undefined }])
    await expect(patient).resolves.toMatchObject({ id: 'b' })
    await expect(failed).rejects.toThrow(/failed in Redis/)
  })

  it('hands an add that throws synchronously to its callers instead of throwing from the flush', async () => {
    const refuse = () => {
      throw new Error('queue is closed')
    }
    const queue = {
      name: 'notes.closed',
      add: vi.fn(refuse),
      addBulk: vi.fn(refuse)
    } as unknown as Bull.Queue
    const batch = new EnqueueBatch(() => new Error('timed out'))
    await expect(batch.add(queue, { n: 1 }, {}, 1_000)).rejects.toThrow('queue is closed')
    const both = [batch.add(queue, { n: 2 }, {}, 1_000), batch.add(queue, { n: 3 }, {}, 1_000)]
    const results = await Promise.allSettled(both)
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected'])
    for (const result of results)
      expect((result as PromiseRejectedResult).reason.message).toBe('queue is closed')
    // The bulk, then each job on its own (the fallback for one job that cannot be serialized).
    expect(queue.addBulk).toHaveBeenCalledTimes(1)
    expect(queue.add).toHaveBeenCalledTimes(3)
  })

  it('fails only the caller whose job cannot be serialized; the rest of its batch is added', async () => {
    const { factory } = setup()
    await factory.waitRedisReady(2_000)
    const queue = factory.queue('notes.mixed')
    const batch = new EnqueueBatch((q) => new Error(`${q.name} timed out`))
    const [good, bad, other] = await Promise.allSettled([
      batch.add(queue, { n: 1 }, { jobId: 'good' }, 2_000),
      batch.add(queue, { n: 10n }, { jobId: 'bad' }, 2_000),
      batch.add(queue, { n: 3 }, { jobId: 'other' }, 2_000)
    ])
    expect(good).toMatchObject({ status: 'fulfilled', value: { id: 'good' } })
    expect(other).toMatchObject({ status: 'fulfilled', value: { id: 'other' } })
    expect(bad.status).toBe('rejected')
    expect(String((bad as PromiseRejectedResult).reason)).toMatch(/BigInt/)
    expect((await queue.getJob('good'))?.data).toEqual({ n: 1 })
    expect(await queue.getJob('bad')).toBeNull()
  })
})
