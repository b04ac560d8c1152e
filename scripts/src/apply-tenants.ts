// `npm run tenants:apply`: validates the brand packs and upserts agencies, tenants (and with --demo-users
// the demo users) through core's services. Safe to repeat: nothing is duplicated.
import { resolve } from 'node:path'
import {
  type ApplyTarget,
  applyPacks,
  DEFAULT_DEMO_USERS_FILE,
  DEFAULT_PACKS_DIR,
  loadPacks
} from '@masterstage/tenants'
import { parseCli, runCli, usageText } from './lib/cli.ts'
import { withPlatformApp } from './lib/platform-app.ts'

const options = {
  packs: { type: 'string', description: 'packs folder (default: tenants/packs)' },
  'demo-users': { type: 'boolean', description: 'also create the demo users of tenants/demo/users.json' },
  'users-file': { type: 'string', description: 'users file to apply instead of the demo users' },
  'dry-run': { type: 'boolean', description: 'validate the packs only; write nothing' }
} as const
const usage = usageText('npm run tenants:apply --', 'Validates and applies the tenant brand packs.', options)

await runCli(usage, async () => {
  const args = parseCli(process.argv.slice(2), options)
  if (args.help) return console.log(usage)
  const packsDir = resolve(args.packs ?? DEFAULT_PACKS_DIR)
  const usersFile = args['users-file']
    ? resolve(args['users-file'])
    : args['demo-users']
      ? DEFAULT_DEMO_USERS_FILE
      : null
  console.log(`▸ validating packs in ${packsDir}`)
  const packs = loadPacks({ packsDir, usersFile })
  const tenantCount = packs.agencies.reduce((n, a) => n + a.tenants.length, 0)
  console.log(
    `✔ ${packs.agencies.length} agency(ies), ${tenantCount} tenant(s), ${packs.users.length} user(s) valid`
  )
  if (args['dry-run']) return
  const summary = await withPlatformApp('apply-tenants', (app) => {
    const service = (path: string) => app.service(path as never) as any
    const target: ApplyTarget = {
      agencies: service('agencies'),
      tenants: service('tenants'),
      users: service('users')
    }
    return applyPacks(packs, target, { packsRoot: packsDir, progress: (m) => console.log(`  ${m}`) })
  })
  console.log(
    `✔ applied: agencies ${summary.agencies.created} created/${summary.agencies.updated} updated, ` +
      `tenants ${summary.tenants.created} created/${summary.tenants.updated} updated, ` +
      `users ${summary.users.created} created/${summary.users.existing} existing`
  )
})
