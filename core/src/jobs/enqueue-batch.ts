// Coalesces the jobs a process enqueues within one turn of the event loop into one Bull addBulk per queue
// (one MULTI of the add scripts: one socket write and one reply instead of a round trip per job, which
// under concurrent requests was as costly as each request's database write). Every caller still gets its
// own job with its own id and options, and fails on its own timeout.
import type Bull from 'bull'
import { TurnBatch } from '../app/turn-batch.ts'

interface PendingJob {
  data: unknown
  options: Bull.JobOptions
  timeoutMs: number
  resolve(job: Bull.Job): void
  reject(error: Error): void
}

export class EnqueueBatch {
  readonly #onTimeout: (queue: Bull.Queue) => Error
  readonly #batch = new TurnBatch<Bull.Queue, PendingJob>((queue, jobs) => this.#send(queue, jobs))

  /** `onTimeout` builds the error of a caller whose job Redis did not confirm within its timeout. */
  constructor(onTimeout: (queue: Bull.Queue) => Error) {
    this.#onTimeout = onTimeout
  }

  add(queue: Bull.Queue, data: unknown, options: Bull.JobOptions, timeoutMs: number): Promise<Bull.Job> {
    return new Promise<Bull.Job>((resolve, reject) =>
      this.#batch.add(queue, { data, options, timeoutMs, resolve, reject })
    )
  }

  #send(queue: Bull.Queue, jobs: PendingJob[]): void {
    const timers = this.#startTimers(queue, jobs)
    const added =
      jobs.length === 1
        ? addOne(queue, jobs[0]).then((job) => [job])
        : settle(() => queue.addBulk(jobs.map((job) => ({ data: job.data, opts: job.options }))))
    added.then(
      (results) => {
        for (const timer of timers) clearTimeout(timer)
        results.forEach((job, index) => {
          // addBulk reports a failed add inside the transaction as a job without an id.
          if (job.id === null || job.id === undefined)
            jobs[index].reject(new Error(`Enqueue on ${queue.name} failed in Redis`))
          else jobs[index].resolve(job)
        })
      },
      (error: Error) => {
        if (jobs.length === 1) {
          for (const timer of timers) clearTimeout(timer)
          jobs[0].reject(error)
          return
        }
        // One job Bull cannot serialize (a BigInt, a cycle) rejects the whole bulk before anything is sent:
        // add each on its own so only that caller fails (a Redis failure fails each of them the same way).
        void Promise.allSettled(jobs.map((job) => addOne(queue, job).then(job.resolve, job.reject))).then(
          () => {
            for (const timer of timers) clearTimeout(timer)
          }
        )
      }
    )
  }

  /** One timer per distinct timeout in the batch (usually one), not one per job. */
  #startTimers(queue: Bull.Queue, jobs: PendingJob[]): NodeJS.Timeout[] {
    const byTimeout = new Map<number, PendingJob[]>()
    for (const job of jobs) {
      const group = byTimeout.get(job.timeoutMs)
      if (group) group.push(job)
      else byTimeout.set(job.timeoutMs, [job])
    }
    return [...byTimeout].map(([timeoutMs, group]) =>
      setTimeout(() => {
        for (const job of group) job.reject(this.#onTimeout(queue))
      }, timeoutMs)
    )
  }
}

function addOne(queue: Bull.Queue, job: PendingJob): Promise<Bull.Job> {
  return settle(() => queue.add(job.data, job.options))
}

/**
 * Bull can throw synchronously (bad options, a closed queue); the batch runs from setImmediate and from
 * promise handlers, where that would end the process or go unhandled: the callers get it instead.
 */
function settle<T>(add: () => Promise<T>): Promise<T> {
  try {
    return add()
  } catch (error) {
    return Promise.reject(error)
  }
}
