// `npm run ui:registry`: writes the generated registry of every plugin's storefront and dashboard UI.
import { join, relative, resolve } from 'node:path'
import { discoverPlugins } from '../../core/src/plugins/discover-plugins.ts'
import { generateUiRegistry } from '../../core/src/plugins/generate-ui-registry.ts'
import { parseCli, runCli, usageText } from './lib/cli.ts'
import { REPO_ROOT } from './lib/paths.ts'

const options = {
  plugins: {
    type: 'string',
    description: 'folder holding one folder per plugin (default: $PLUGINS_DIR or plugins/)'
  },
  out: { type: 'string', description: 'file to write (default: plugins/ui-registry.generated.ts)' },
  check: { type: 'boolean', description: 'fail if the file is out of date instead of writing it' }
} as const
const usage = usageText(
  'npm run ui:registry --',
  'Scans the installed plugins and writes the lazy-import registry of their UI contributions.',
  options
)

await runCli(usage, async () => {
  const args = parseCli(process.argv.slice(2), options)
  if (args.help) return console.log(usage)
  const pluginsDir = resolve(args.plugins ?? process.env.PLUGINS_DIR ?? join(REPO_ROOT, 'plugins'))
  const outFile = resolve(args.out ?? join(REPO_ROOT, 'plugins', 'ui-registry.generated.ts'))
  console.log(`▸ scanning ${relative(process.cwd(), pluginsDir) || '.'}`)
  const plugins = await discoverPlugins(pluginsDir)
  console.log(
    `▸ found ${plugins.length} plugin(s)${plugins.length ? `: ${plugins.map((p) => p.name).join(', ')}` : ''}`
  )
  if (args.check) {
    const { renderUiRegistry } = await import('../../core/src/plugins/generate-ui-registry.ts')
    const { existsSync, readFileSync } = await import('node:fs')
    const current = existsSync(outFile) ? readFileSync(outFile, 'utf8') : ''
    if (current !== renderUiRegistry(plugins, resolve(outFile, '..'))) {
      throw new Error(`${relative(process.cwd(), outFile)} is out of date: run npm run ui:registry`)
    }
    return console.log('✔ UI registry is up to date')
  }
  const result = await generateUiRegistry(plugins, outFile)
  console.log(
    result.changed
      ? `✔ wrote ${relative(process.cwd(), result.outFile)}`
      : `✔ ${relative(process.cwd(), result.outFile)} already up to date`
  )
})
