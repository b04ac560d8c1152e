// `npm start` (first run only): gives the demo tenants something to show — upcoming masterclasses from
// tenants/demo/masterclasses.json — created through the masterclasses plugin's service in each tenant's
// scope, and, with the payments sandbox, a connected sandbox payment account (so the demo's pay links
// work without a host first clicking Connect). Safe to repeat: a tenant that already has masterclasses
// or a connected account is left alone.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { runCli } from './lib/cli.ts'
import { REPO_ROOT } from './lib/paths.ts'
import { withPlatformApp } from './lib/platform-app.ts'

interface DemoMasterclass {
  title: string
  description: string
  startsInDays: number
  durationMinutes: number
  price: { amount: number; currency: string }
  maxAttendees: number
}
type DemoContent = Record<string, { host: string; masterclasses: DemoMasterclass[] }>

const MASTERCLASSES = 'masterclasses/masterclasses'
const CONNECT = 'payments/connect'
const DAY_MS = 86_400_000

await runCli('npm run demo:content', async () => {
  const content: DemoContent = JSON.parse(
    readFileSync(resolve(REPO_ROOT, 'tenants', 'demo', 'masterclasses.json'), 'utf8')
  )
  const { runAsSystem } = await import('../../core/src/context/request-scope.ts')
  await withPlatformApp('seed-demo-content', async (app) => {
    const service = (path: string) => app.service(path as never) as any
    for (const [slug, { host, masterclasses }] of Object.entries(content)) {
      const [tenant] = rows(await service('tenants').find({ query: { slug } }))
      if (!tenant) throw new Error(`demo content names tenant "${slug}", which the packs did not create`)
      const [hostUser] = rows(await service('users').find({ query: { email: host } }))
      if (!hostUser) throw new Error(`demo content names host "${host}", which the demo users did not create`)
      const tenantId = String(tenant._id)
      const created = await runAsSystem('seed-demo-content', tenantId, async () => {
        const existing = rows(await service(MASTERCLASSES).find({ query: { $limit: 1 } }))
        if (existing.length > 0) return 0
        const now = Date.now()
        for (const item of masterclasses) {
          const start = new Date(now + item.startsInDays * DAY_MS)
          await service(MASTERCLASSES).create({
            title: item.title,
            description: item.description,
            hostId: String(hostUser._id),
            startTime: start.toISOString(),
            endTime: new Date(start.getTime() + item.durationMinutes * 60_000).toISOString(),
            price: item.price,
            maxAttendees: item.maxAttendees
          })
        }
        return masterclasses.length
      })
      console.log(
        `  ${slug}: ${created > 0 ? `${created} masterclass(es) created` : 'already has masterclasses'}`
      )
      const payments = await runAsSystem('seed-demo-content', tenantId, () =>
        connectSandboxAccount(service, hostUser)
      )
      console.log(`  ${slug}: ${payments}`)
    }
  })
})

/**
 * The host's own Connect flow (`payments/connect`: create, then the status read the dashboard does on
 * return), only with the sandbox: a real Stripe account needs the host to complete Stripe's onboarding.
 */
async function connectSandboxAccount(service: (path: string) => any, host: any): Promise<string> {
  let status: { connected: boolean; provider: string }
  try {
    status = await service(CONNECT).find({ user: host })
  } catch (error) {
    if ((error as any)?.data?.code === 'PLUGIN_DISABLED') return 'payments not enabled'
    throw error
  }
  if (status.provider !== 'sandbox')
    return `payments provider ${status.provider}: the host connects in the dashboard`
  if (status.connected) return 'sandbox payment account already connected'
  await service(CONNECT).create({ idempotencyKey: 'demo-seed-connect' }, { user: host })
  const after = await service(CONNECT).find({ user: host })
  if (!after.connected || !after.chargesEnabled)
    throw new Error('the sandbox payment account did not finish onboarding')
  return 'sandbox payment account connected'
}

function rows(result: any): any[] {
  return Array.isArray(result) ? result : (result?.data ?? [])
}
