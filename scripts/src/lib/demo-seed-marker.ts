// Remembers in the database that the demo packs were applied, so `npm start` seeds once and later starts
// keep what people changed (a marker in the same database survives restarts and dies with the data).
import { MongoClient } from 'mongodb'

const COLLECTION = 'platform_meta'
const MARKER_ID = 'demo-seed'

export async function demoSeedAppliedAt(mongoUri: string): Promise<Date | undefined> {
  const client = await MongoClient.connect(mongoUri, { serverSelectionTimeoutMS: 10_000 })
  try {
    const marker = await client
      .db()
      .collection<{ _id: string; appliedAt: Date }>(COLLECTION)
      .findOne({ _id: MARKER_ID })
    return marker?.appliedAt
  } finally {
    await client.close()
  }
}

export async function markDemoSeedApplied(mongoUri: string): Promise<void> {
  const client = await MongoClient.connect(mongoUri, { serverSelectionTimeoutMS: 10_000 })
  try {
    await client
      .db()
      .collection<{ _id: string; appliedAt: Date }>(COLLECTION)
      .updateOne({ _id: MARKER_ID }, { $setOnInsert: { appliedAt: new Date() } }, { upsert: true })
  } finally {
    await client.close()
  }
}
