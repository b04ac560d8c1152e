// `npm run lint` step: fails when code outside the data layer reaches MongoDB around tenant scoping
// (raw collections, the driver database or client); the rule and its allow-list are in check-raw-collections-rule.ts.
import { resolve } from 'node:path'
import { checkRawCollections } from './check-raw-collections-rule.ts'
import { parseCli, runCli, usageText } from './lib/cli.ts'
import { REPO_ROOT } from './lib/paths.ts'

const options = { root: { type: 'string', description: 'tree to check (default: the repository)' } } as const
const usage = usageText(
  'node scripts/src/check-raw-collections.ts',
  'Fails on raw MongoDB collection or driver access outside core/src/data, core/src/devdb and the allow-list.',
  options
)

await runCli(usage, async () => {
  const args = parseCli(process.argv.slice(2), options)
  if (args.help) return console.log(usage)
  const findings = checkRawCollections(resolve(args.root ?? REPO_ROOT))
  if (findings.length === 0) return console.log('✔ no raw collection access outside the data layer')
  for (const finding of findings) {
    console.error(`${finding.file}:${finding.line}  ${finding.what}\n    ${finding.text}`)
  }
  console.error(
    `✖ ${findings.length} raw collection access(es) bypass tenant scoping: use a tenant-scoped model or service,` +
      ' or add the file to ALLOWED in scripts/src/check-raw-collections-rule.ts with the reason'
  )
  process.exitCode = 1
})
