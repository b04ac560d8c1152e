// `node plugins/pipeline/scripts/rebuild-metrics-rollups.ts --tenant <slug> | --all`: recomputes the
// pipeline's metrics rollups from the leads, history and revenue entries of one tenant (or every tenant
// that enabled the pipeline), printing progress. Boots the platform like the other CLI scripts.
import { runAsSystem } from '../../../core/src/context/request-scope.ts'
import { parseCli, runCli, UsageError, usageText } from '../../../scripts/src/lib/cli.ts'
import { withPlatformApp } from '../../../scripts/src/lib/platform-app.ts'
import { pipelineModels } from '../models/pipeline-models.ts'
import { rebuildRollups } from '../services/rollup-rebuild.ts'

const options = {
  tenant: { type: 'string', description: 'slug of the tenant to rebuild' },
  all: { type: 'boolean', description: 'rebuild every tenant that enabled the pipeline plugin' }
} as const
const usage = usageText(
  'node plugins/pipeline/scripts/rebuild-metrics-rollups.ts',
  'Recomputes the pipeline metrics rollups from leads, history and revenue entries.',
  options
)

await runCli(usage, async () => {
  const args = parseCli(process.argv.slice(2), options)
  if (args.help) return console.log(usage)
  if (!args.tenant === !args.all) throw new UsageError('give either --tenant <slug> or --all')
  await withPlatformApp('rebuild-metrics-rollups', async (app) => {
    const connection = app.get('mongoose')
    const Tenant = connection.model('Tenant')
    const filter = args.tenant ? { slug: args.tenant } : { 'enabledPlugins.name': 'pipeline' }
    const tenants: any[] = await Tenant.find(filter, { slug: 1 }).lean()
    if (tenants.length === 0) throw new UsageError(`no tenant matches ${JSON.stringify(filter)}`)
    const models = pipelineModels({ get: (name: string) => connection.model(`pipeline.${name}`) as any })
    for (const tenant of tenants) {
      const started = performance.now()
      const result = await runAsSystem('rebuild-metrics-rollups', String(tenant._id), () =>
        rebuildRollups(models, ({ phase, done, total }) => {
          process.stdout.write(`\r  ${tenant.slug}: ${phase} ${done}/${total}        `)
        })
      )
      const seconds = ((performance.now() - started) / 1000).toFixed(1)
      console.log(
        `\r✔ ${tenant.slug}: ${result.leads} leads, ${result.history} history entries, ${result.revenue} revenue entries → ${result.rollups} rollup documents (${seconds} s)`
      )
    }
  })
})
