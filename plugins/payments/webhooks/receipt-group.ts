// Group commit of webhook receipts: stores that arrive while an insert is in flight wait and then share
// one unordered insertMany, so a burst costs one database round trip per group instead of one per event.
// Each caller still learns the fate of its own document: inserted, already stored (duplicate key: a
// redelivery, also within one group) or failed (its promise rejects, so the endpoint answers 5xx).
import { isDuplicateKeyError } from '@masterstage/core'
import type { WebhookEvent } from '../models/webhook-event-model.ts'
import type { PaymentsRuntime } from '../runtime.ts'

// Bounds one insertMany (3 KB payloads: about 1.5 MB per group).
const MAX_GROUP = 500

interface Entry {
  document: WebhookEvent
  resolve(inserted: boolean): void
  reject(error: Error): void
}

interface Group {
  waiting: Entry[]
  flushing: boolean
}

const groups = new WeakMap<PaymentsRuntime, Group>()

/** True when this call stored the event, false when it was stored already (by any caller). */
export function insertReceipt(runtime: PaymentsRuntime, document: WebhookEvent): Promise<boolean> {
  let group = groups.get(runtime)
  if (!group) {
    group = { waiting: [], flushing: false }
    groups.set(runtime, group)
  }
  const promise = new Promise<boolean>((resolve, reject) => group.waiting.push({ document, resolve, reject }))
  if (!group.flushing) void flush(runtime, group)
  return promise
}

async function flush(runtime: PaymentsRuntime, group: Group): Promise<void> {
  group.flushing = true
  try {
    while (group.waiting.length > 0) {
      const entries = group.waiting.splice(0, MAX_GROUP)
      await write(runtime, entries)
    }
  } finally {
    group.flushing = false
  }
}

async function write(runtime: PaymentsRuntime, entries: Entry[]): Promise<void> {
  try {
    // `lean`: the fields are built by the endpoint from a verified event, so hydration and validation
    // would only cost time on the hot path.
    await runtime.models.webhookEvents.insertMany(
      entries.map((entry) => entry.document),
      { lean: true, ordered: false }
    )
    for (const entry of entries) entry.resolve(true)
  } catch (error) {
    const writeErrors: { index: number; code?: number; errmsg?: string }[] | undefined = (error as any)
      ?.writeErrors
    // Without per-document errors (network, write concern) no caller can know its document is stored.
    if (!Array.isArray(writeErrors) || (error as any)?.writeConcernErrors?.length) {
      for (const entry of entries) entry.reject(error as Error)
      return
    }
    const failed = new Map(writeErrors.map((writeError) => [writeError.index, writeError]))
    entries.forEach((entry, index) => {
      const writeError = failed.get(index)
      if (!writeError) entry.resolve(true)
      else if (isDuplicateKeyError(writeError)) entry.resolve(false)
      else
        entry.reject(
          Object.assign(new Error(writeError.errmsg ?? 'insert failed'), { code: writeError.code })
        )
    })
  }
}
