// Embedded devdb TTL indexes: expired documents are removed by the background monitor.
import { MongoClient } from 'mongodb'
import { describe, expect, it } from 'vitest'
import { start } from '../../src/devdb/index.ts'
import { captureLogger } from './support/capture-logger.ts'

describe('TTL indexes', () => {
  it('removes documents whose date is older than expireAfterSeconds and keeps the rest', async () => {
    const db = await start({ logger: captureLogger(), ttlMonitorIntervalMs: 100 })
    const client = await MongoClient.connect(`${db.uri}ttl`)
    try {
      const c = client.db().collection('sessions')
      await c.createIndex({ lastSeen: 1 }, { expireAfterSeconds: 60 })
      await c.insertMany([
        { k: 'old', lastSeen: new Date(Date.now() - 120_000) },
        { k: 'fresh', lastSeen: new Date() },
        { k: 'no-date', lastSeen: 'yesterday' }
      ])
      const deadline = Date.now() + 5000
      while ((await c.countDocuments({ k: 'old' })) > 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50))
      expect(
        (
          await c
            .find({}, { projection: { _id: 0, k: 1 } })
            .sort({ k: 1 })
            .toArray()
        ).map((d) => d.k)
      ).toEqual(['fresh', 'no-date'])
    } finally {
      await client.close()
      await db.stop()
    }
  })
})
