// `npm run user:create -- --email a@b.c --name "A B" --role host --agency x --tenant y`: creates a user
// with an explicit role grant. Without --password a random one is generated and printed once.
import { randomBytes } from 'node:crypto'
import { isRole, ROLES } from '../../core/src/auth/roles.ts'
import { parseCli, runCli, UsageError, usageText } from './lib/cli.ts'
import { agencyIdBySlug, tenantIdsBySlug } from './lib/lookup.ts'
import { withPlatformApp } from './lib/platform-app.ts'

const options = {
  email: { type: 'string', required: true, description: 'login email' },
  name: { type: 'string', required: true, description: 'display name' },
  role: { type: 'string', required: true, description: `one of ${ROLES.join(', ')}` },
  agency: { type: 'string', description: 'agency slug (every role but platform_admin)' },
  tenant: { type: 'string', multiple: true, description: 'tenant slug (host, sales_rep, attendee)' },
  password: { type: 'string', description: 'initial password (at least 10 characters; default: generated)' }
} as const
const usage = usageText('npm run user:create --', 'Creates a user with a role and memberships.', options)

await runCli(usage, async () => {
  const args = parseCli(process.argv.slice(2), options)
  if (args.help) return console.log(usage)
  if (!isRole(args.role))
    throw new UsageError(`--role must be one of ${ROLES.join(', ')} (got "${args.role}")`)
  const generated = args.password ? undefined : randomBytes(12).toString('base64url')
  console.log(`▸ creating ${args.role} ${args.email}`)
  const user = await withPlatformApp('create-user', async (app) => {
    const agencyId = args.agency ? await agencyIdBySlug(app, args.agency) : undefined
    const tenantIds = args.tenant?.length ? await tenantIdsBySlug(app, args.tenant) : undefined
    return (app.service('users' as never) as any).createStaff({
      email: args.email,
      name: args.name,
      role: args.role,
      password: args.password ?? generated,
      ...(agencyId && { agencyId }),
      ...(tenantIds && { tenantIds })
    })
  })
  console.log(`✔ created ${user.role} ${user.email} (id ${user._id})`)
  if (generated) console.log(`  generated password (shown once): ${generated}`)
})
