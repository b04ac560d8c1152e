// `npm run agency:create -- --slug northstar-talent --name "Northstar Talent"`: creates an agency.
import { parseCli, runCli, usageText } from './lib/cli.ts'
import { withPlatformApp } from './lib/platform-app.ts'

const options = {
  slug: { type: 'string', required: true, description: 'URL-safe identifier, e.g. northstar-talent' },
  name: { type: 'string', required: true, description: 'display name' }
} as const
const usage = usageText('npm run agency:create --', 'Creates an agency (the owner of tenants).', options)

await runCli(usage, async () => {
  const args = parseCli(process.argv.slice(2), options)
  if (args.help) return console.log(usage)
  console.log(`▸ creating agency ${args.slug}`)
  const agency: { slug: string; _id: string } = await withPlatformApp('create-agency', (app) =>
    (app.service('agencies' as never) as any).create({ slug: args.slug, name: args.name })
  )
  console.log(`✔ created agency ${agency.slug} (id ${agency._id})`)
})
