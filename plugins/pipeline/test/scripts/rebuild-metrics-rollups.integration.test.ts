// The rebuild command as an operator runs it (a child process booting the platform), and the rebuild job:
// after rollups were lost, the metrics answer the hand-computed fixture figures again.
import { execFile } from 'node:child_process'
import { resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { scriptEnvironment } from '../../../../scripts/test/support/run-script.ts'
import { PERIOD, writeMetricsFixture } from '../support/metrics-fixture.ts'
import { call, eventually, type PipelineTestApp, startPipelineTestApp } from '../support/pipeline-test-app.ts'

const NAME = 'pipeline-rollup-cli'
const SCRIPT = resolve(import.meta.dirname, '..', '..', 'scripts', 'rebuild-metrics-rollups.ts')
let t: PipelineTestApp

/** The test app's own database, polled like the script tests do (the embedded engine's hello streams). */
function databaseUri(): string {
  const uri = (t.app.get('config') as { mongoUri: string }).mongoUri
  return `${uri}${uri.includes('?') ? '&' : '?'}serverMonitoringMode=poll`
}

function rebuild(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [SCRIPT, ...args],
      {
        // The operator's process is one more process of the test's deployment: the same encryption key.
        env: {
          ...scriptEnvironment(databaseUri()),
          PLATFORM_ENCRYPTION_KEY: (t.app.get('config').encryptionKey as Buffer).toString('base64')
        },
        timeout: 90_000
      },
      (error, stdout, stderr) =>
        done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr })
    )
  })
}

const reachedNew = async () =>
  (
    await call(t.url, 'GET', `/pipeline/metrics?from=${PERIOD.from}&to=${PERIOD.to}`, undefined, {
      tenant: t.tenants.ava.slug,
      token: await t.token('avaHost')
    })
  ).body

beforeAll(async () => {
  t = await startPipelineTestApp(NAME)
  await writeMetricsFixture(t, t.tenants.ava._id, {
    reps: { r1: t.users.avaRep._id, r2: t.users.avaHost._id }
  })
})
afterAll(async () => {
  await t?.close()
})

describe('rebuild-metrics-rollups command', () => {
  it('recomputes lost rollups with progress output', async () => {
    const before = await reachedNew()
    expect(before.totals.reached.NEW).toBe(6)
    await t.asTenant(t.tenants.ava._id, () => t.model('metrics-rollup').deleteMany({}))
    expect((await reachedNew()).totals.reached.NEW).toBe(0)

    const result = await rebuild(['--tenant', t.tenants.ava.slug])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    // 11 fixture entries, plus a creation entry for each lead the announce sweep has found meanwhile.
    expect(result.stdout).toContain('leads 7/7')
    const [, historyDone] = result.stdout.match(/history (\d+)\/\1/) ?? []
    expect(Number(historyDone)).toBeGreaterThanOrEqual(11)
    expect(result.stdout).toMatch(
      /✔ .*: 7 leads, \d+ history entries, 7 revenue entries → \d+ rollup documents/
    )
    const after = await reachedNew()
    expect(after.totals).toEqual(before.totals)
    expect(after.timeInStage).toEqual(before.timeInStage)
  })

  it('the rebuild job does the same for the tenant it is queued for', async () => {
    await t.asTenant(t.tenants.ava._id, () => t.model('metrics-rollup').deleteMany({}))
    expect((await reachedNew()).totals.reached.NEW).toBe(0)
    await (t.app.get('jobs') as any).enqueue(
      'pipeline.rebuild-metrics-rollups',
      {},
      { tenantId: t.tenants.ava._id, jobId: 'rebuild-test' }
    )
    await eventually(async () => (await reachedNew()).totals.reached.NEW === 6, 30_000)
    expect((await reachedNew()).totals.revenueMinor).toEqual({ EUR: 25_000, USD: 3_000 })
  })

  it('refuses to guess which tenant', async () => {
    const result = await rebuild([])
    expect(result.code).not.toBe(0)
    expect(result.stderr).toContain('--tenant')
  })
})
