// Per-tenant repeatable job schedules in real Redis follow plugin enablement in the real app: enabling
// a plugin schedules the tenant's runs, disabling removes the schedule and its pending next run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tenantRepeatJobId } from '../../src/jobs/tenant-repeatable-schedules.ts'
import type { PluginManifest } from '../../src/plugins/plugin-manifest.ts'
import { type PluginTestApp, startPluginTestApp } from '../plugins/plugin-test-app.ts'
import { waitUntil } from './wait-until.ts'

const CRON = '0 3 * * *'
const digest: PluginManifest = {
  name: 'digest',
  version: '1.0.0',
  description: 'repeatable job fixture',
  jobs: [{ name: 'daily', repeat: { cron: CRON, perTenant: true }, handle: async () => undefined }]
}

let t: PluginTestApp
let keptTenant: string
beforeAll(async () => {
  t = await startPluginTestApp('repeatable-schedules', [digest])
  keptTenant = await t.createTenant('kept', [])
})
afterAll(async () => {
  await t?.close()
})

const queue = () => t.app.get('queues').queue('digest.daily')
const tenants = () => (t.app as any).service('tenants')

async function scheduledTenants(): Promise<string[]> {
  const repeatable = await queue().getRepeatableJobs()
  return repeatable.map((job) => String(job.id)).sort()
}

async function delayedTenants(): Promise<(string | null)[]> {
  return (await queue().getDelayed()).map((job) => job.data.tenantId).sort()
}

describe('per-tenant repeatable schedules', () => {
  it('schedules a tenant when it enables the plugin and removes the schedule when it disables it', async () => {
    const tenantId = await t.createTenant('toggling', [])
    await tenants().enablePlugin({ tenantId: keptTenant, plugin: 'digest' })
    await tenants().enablePlugin({ tenantId, plugin: 'digest' })
    const both = [tenantRepeatJobId(keptTenant), tenantRepeatJobId(tenantId)].sort()
    await waitUntil(async () => (await scheduledTenants()).length === 2, 10_000, 'schedules added')
    expect(await scheduledTenants()).toEqual(both)
    expect(await delayedTenants()).toEqual([keptTenant, tenantId].sort())
    expect((await queue().getRepeatableJobs())[0].cron).toBe(CRON)

    await tenants().disablePlugin({ tenantId, plugin: 'digest' })
    await waitUntil(async () => (await scheduledTenants()).length === 1, 10_000, 'schedule removed')
    expect(await scheduledTenants()).toEqual([tenantRepeatJobId(keptTenant)])
    expect(await delayedTenants()).toEqual([keptTenant])

    await tenants().enablePlugin({ tenantId, plugin: 'digest' })
    await waitUntil(async () => (await scheduledTenants()).length === 2, 10_000, 'schedule re-added')
    expect(await delayedTenants()).toEqual([keptTenant, tenantId].sort())
  })
})
