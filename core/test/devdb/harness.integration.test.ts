// The database harness picks external → mongodb-memory-server → embedded; the test helper builds per-file URIs.
import { MongoClient } from 'mongodb'
import { afterEach, describe, expect, it } from 'vitest'
import { startDatabase } from '../../src/devdb/harness.ts'
import { testDatabaseName, withDatabase } from '../support/database.ts'
import { captureLogger } from './support/capture-logger.ts'

const saved = { uri: process.env.MONGODB_URI, engine: process.env.DEVDB_ENGINE }

afterEach(() => {
  for (const [key, value] of [
    ['MONGODB_URI', saved.uri],
    ['DEVDB_ENGINE', saved.engine]
  ] as const) {
    if (value === undefined) delete process.env[key]
    else process.env[key] = value
  }
})

describe('startDatabase', () => {
  it('uses MONGODB_URI as is when set, and says so', async () => {
    process.env.MONGODB_URI = 'mongodb://user:secret@db.example:27017/?replicaSet=rs0'
    const logger = captureLogger()
    const db = await startDatabase({ logger })
    expect(db.engine).toBe('external')
    expect(db.uri).toBe(process.env.MONGODB_URI)
    await db.stop()
    const line = JSON.stringify(logger.entries)
    expect(line).toContain('external')
    expect(line).not.toContain('secret')
  })

  it('starts the embedded server when asked to and reports the engine', async () => {
    delete process.env.MONGODB_URI
    process.env.DEVDB_ENGINE = 'embedded'
    const logger = captureLogger()
    const db = await startDatabase({ logger })
    try {
      expect(db.engine).toBe('embedded')
      const client = await MongoClient.connect(withDatabase(db.uri, 'harness_check'))
      expect((await client.db().command({ ping: 1 })).ok).toBe(1)
      await client.close()
      expect(logger.entries.some((e) => (e.obj as { engine?: string }).engine === 'embedded')).toBe(true)
    } finally {
      await db.stop()
    }
  })
})

describe('test database helper', () => {
  it('puts a unique, valid database name into any MongoDB URI form', () => {
    const a = testDatabaseName('core/data: users.test')
    const b = testDatabaseName('core/data: users.test')
    expect(a).not.toBe(b)
    expect(a).toMatch(/^[A-Za-z0-9_-]+$/)
    expect(a.length).toBeLessThan(64)
    expect(withDatabase('mongodb://127.0.0.1:1234/', 'x')).toBe('mongodb://127.0.0.1:1234/x')
    expect(withDatabase('mongodb://127.0.0.1:1234', 'x')).toBe('mongodb://127.0.0.1:1234/x')
    expect(withDatabase('mongodb://h1:1,h2:2/old?replicaSet=rs0&w=majority', 'x')).toBe(
      'mongodb://h1:1,h2:2/x?replicaSet=rs0&w=majority'
    )
    expect(withDatabase('mongodb+srv://u:p@cluster.example/?retryWrites=true', 'x')).toBe(
      'mongodb+srv://u:p@cluster.example/x?retryWrites=true'
    )
  })
})
