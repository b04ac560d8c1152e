// Embedded devdb durability: restarts keep every acknowledged write; kill -9 of a server process loses none.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MongoClient } from 'mongodb'
import { afterAll, describe, expect, it } from 'vitest'
import { start } from '../../src/devdb/index.ts'
import { captureLogger } from './support/capture-logger.ts'

const dirs: string[] = []
function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'devdb-durable-'))
  dirs.push(dir)
  return dir
}

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

const CLI = join(import.meta.dirname, '../../src/devdb/cli.ts')

function spawnServer(dir: string): Promise<{ child: ChildProcess; uri: string }> {
  const child = spawn(process.execPath, [CLI, '--port', '0', '--data-dir', dir], {
    stdio: ['ignore', 'pipe', 'pipe']
  })
  return new Promise((resolve, reject) => {
    let out = ''
    let err = ''
    child.stderr!.on('data', (d) => {
      err += d
    })
    child.stdout!.on('data', (d) => {
      out += d
      const line = out.split('\n').find((l) => l.startsWith('mongodb://'))
      if (line) resolve({ child, uri: line.trim() })
    })
    child.once('exit', (code) => reject(new Error(`devdb exited early (${code}): ${err}`)))
  })
}

describe('durability with a data directory', () => {
  it('serves from the CLI until SIGTERM, then flushes and exits 0', async () => {
    const dir = dataDir()
    const { child, uri } = await spawnServer(dir)
    const client = await MongoClient.connect(`${uri}app`)
    await client.db().collection('cli').insertOne({ via: 'cli' })
    await client.close()
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)))
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
    const again = await start({ dataDir: dir, logger: captureLogger() })
    const client2 = await MongoClient.connect(`${again.uri}app`)
    expect(await client2.db().collection('cli').countDocuments({ via: 'cli' })).toBe(1)
    await client2.close()
    await again.stop()
  })

  it('keeps documents, updates, deletes, indexes and committed transactions across a clean restart', async () => {
    const dir = dataDir()
    const first = await start({ dataDir: dir, logger: captureLogger() })
    const client = await MongoClient.connect(`${first.uri}app`)
    const c = client.db().collection('things')
    await c.createIndex({ tenantId: 1, slug: 1 }, { unique: true })
    await c.insertMany(
      Array.from({ length: 200 }, (_, i) => ({ tenantId: `t${i % 4}`, slug: `s${i}`, n: i }))
    )
    await c.updateMany({ tenantId: 't1' }, { $set: { touched: true } })
    await c.deleteMany({ tenantId: 't2' })
    const session = client.startSession()
    await session.withTransaction(async () => {
      await c.insertOne({ tenantId: 'tx', slug: 'committed' }, { session })
    })
    await session.endSession()
    await client.close()
    await first.stop()

    const second = await start({ dataDir: dir, logger: captureLogger() })
    const client2 = await MongoClient.connect(`${second.uri}app`)
    const c2 = client2.db().collection('things')
    expect(await c2.countDocuments()).toBe(151)
    expect(await c2.countDocuments({ touched: true })).toBe(50)
    expect(await c2.findOne({ slug: 'committed' })).toMatchObject({ tenantId: 'tx' })
    expect((await c2.listIndexes().toArray()).map((i) => i.name)).toContain('tenantId_1_slug_1')
    await expect(c2.insertOne({ tenantId: 't0', slug: 's0' })).rejects.toMatchObject({ code: 11000 })
    await client2.close()
    await second.stop()
  })

  it('keeps every acknowledged write when the server process is killed with SIGKILL', async () => {
    const dir = dataDir()
    const { child, uri } = await spawnServer(dir)
    const client = await MongoClient.connect(`${uri}app`, {
      maxPoolSize: 20,
      retryWrites: false,
      serverSelectionTimeoutMS: 500
    })
    const c = client.db().collection('acks')
    await c.insertOne({ _id: 'counter' as never, n: 0 })
    const acknowledged: number[] = []
    let acknowledgedIncrements = 0
    let stop = false
    const writers = Array.from({ length: 16 }, async (_, w) => {
      for (let i = 0; !stop; i++) {
        const id = w * 1_000_000 + i
        try {
          await c.insertOne({ _id: id as never, w, payload: 'x'.repeat(200) })
          acknowledged.push(id)
          await c.updateOne({ _id: 'counter' as never }, { $inc: { n: 1 } })
          acknowledgedIncrements++
        } catch {
          return
        }
      }
    })
    await new Promise((r) => setTimeout(r, 1500))
    child.kill('SIGKILL')
    stop = true
    await Promise.allSettled(writers)
    await client.close(true).catch(() => {})
    await new Promise((r) =>
      child.exitCode !== null || child.signalCode !== null ? r(null) : child.once('exit', r)
    )
    expect(acknowledged.length).toBeGreaterThan(10)

    const logger = captureLogger()
    const restarted = await start({ dataDir: dir, logger })
    const client2 = await MongoClient.connect(`${restarted.uri}app`)
    const c2 = client2.db().collection('acks')
    const present = new Set(
      (await c2.find({ _id: { $ne: 'counter' as never } }, { projection: { _id: 1 } }).toArray()).map(
        (d) => d._id as unknown as number
      )
    )
    const missing = acknowledged.filter((id) => !present.has(id))
    expect(missing).toEqual([])
    const counter = await c2.findOne({ _id: 'counter' as never })
    expect(counter!.n).toBeGreaterThanOrEqual(acknowledgedIncrements)
    await client2.close()
    await restarted.stop()
  })
})
