// `npm run tenant:create -- --agency northstar-talent --slug ava-fit --name "Ava Fit"`: creates a tenant.
// Brand details come later from its pack (npm run tenants:apply) or the dashboard.
import { parseCli, runCli, usageText } from './lib/cli.ts'
import { agencyIdBySlug } from './lib/lookup.ts'
import { withPlatformApp } from './lib/platform-app.ts'

const options = {
  agency: { type: 'string', required: true, description: 'slug of the owning agency' },
  slug: { type: 'string', required: true, description: 'tenant slug: its subdomain <slug>.<BASE_DOMAIN>' },
  name: { type: 'string', required: true, description: 'display name' },
  domain: { type: 'string', multiple: true, description: 'custom domain, e.g. learn.example.com' }
} as const
const usage = usageText(
  'npm run tenant:create --',
  'Creates a tenant (one influencer brand) in an agency.',
  options
)

await runCli(usage, async () => {
  const args = parseCli(process.argv.slice(2), options)
  if (args.help) return console.log(usage)
  console.log(`▸ creating tenant ${args.slug} in agency ${args.agency}`)
  const tenant = await withPlatformApp('create-tenant', async (app) => {
    const agencyId = await agencyIdBySlug(app, args.agency!)
    return (app.service('tenants' as never) as any).create({
      slug: args.slug,
      name: args.name,
      agencyId,
      ...(args.domain?.length && { domains: args.domain })
    })
  })
  console.log(`✔ created tenant ${tenant.slug} (id ${tenant._id})`)
})
