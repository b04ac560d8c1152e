// TTL indexes: removes documents whose indexed date is older than expireAfterSeconds, like mongod's TTL monitor.
import type { Engine } from '../engine.ts'
import { lockKey } from '../sessions/lock-table.ts'
import { pathValues } from '../storage/doc-path.ts'
import { encodeKey } from '../storage/key-encoding.ts'
import type { Mutation } from '../storage/mutations.ts'

export function expireDocuments(engine: Engine, now = Date.now()): number {
  let removed = 0
  for (const [db, colls] of engine.catalog.databases) {
    for (const coll of colls.values()) {
      for (const index of coll.indexes.values()) {
        const seconds = index.spec.expireAfterSeconds
        if (seconds === undefined || index.fields.length !== 1) continue
        const cutoff = now - seconds * 1000
        const mutations: Mutation[] = []
        for (const [docKey, doc] of coll.docs) {
          // An array of dates expires with its earliest date; non-date values never expire.
          const dates = pathValues(doc, index.fields[0]).filter((v): v is Date => v instanceof Date)
          if (dates.length === 0 || Math.min(...dates.map((d) => d.getTime())) > cutoff) continue
          if (index.isPartialOrSparse && index.keysFor(doc) === null) continue
          if (engine.locks.ownerOf(lockKey(coll.ns, docKey))) continue
          mutations.push({ op: 'delete', db, coll: coll.name, id: doc._id })
        }
        if (mutations.length === 0) continue
        const durable = engine.commit(mutations)
        durable?.catch((err) =>
          engine.logger.error({ err: (err as Error).message }, 'devdb TTL delete not journaled')
        )
        const at = engine.locks.tick()
        for (const m of mutations)
          if (m.op === 'delete') engine.locks.noteWrite(lockKey(coll.ns, encodeKey(m.id)), at)
        removed += mutations.length
      }
    }
  }
  return removed
}
