// `npm run secrets:rewrap`: after an encryption key rotation (new PLATFORM_ENCRYPTION_KEY, the old one in
// PLATFORM_RETIRED_ENCRYPTION_KEYS), writes every stored secret still under a retired key again under the
// current one: tenants' plugin secrets and each plugin's own encrypted data. When it reports nothing left
// (exit 0), the retired keys can be removed; values it could not rewrite are listed (exit 1). Safe to run
// beside the live platform and to run again.
import { parseCli, runCli, usageText } from './lib/cli.ts'
import { withPlatformApp } from './lib/platform-app.ts'

const options = {} as const
const usage = usageText(
  'npm run secrets:rewrap --',
  'Writes every stored secret that is under a retired encryption key again under the current key.',
  options
)
/** At most one progress line per part this often (a platform with many tenants). */
const PROGRESS_EVERY_MS = 1000

await runCli(usage, async () => {
  const args = parseCli(process.argv.slice(2), options)
  if (args.help) return console.log(usage)
  const report = await withPlatformApp('rewrap-secrets', async (app) => {
    const { rewrapAllSecrets } = await import('../../core/src/tenancy/rewrap-secrets.ts')
    let lastPart = ''
    let lastLineAt = 0
    return rewrapAllSecrets(app, (part, checked) => {
      const now = Date.now()
      if (part === lastPart && now - lastLineAt < PROGRESS_EVERY_MS) return
      if (part !== lastPart) console.log(`▸ ${part}`)
      lastPart = part
      lastLineAt = now
      console.log(`  ${checked} tenant(s) checked`)
    })
  })
  let failed = 0
  for (const { name, result } of report.parts) {
    console.log(
      `  ${name}: ${result.rewritten} rewritten, ${result.current} under the current key, ${result.failed.length} failed`
    )
    for (const failure of result.failed) console.error(`  ✖ ${failure.id}: ${failure.reason}`)
    failed += result.failed.length
  }
  const rewritten = report.parts.reduce((sum, part) => sum + part.result.rewritten, 0)
  if (failed > 0) {
    throw new Error(
      `${failed} secret(s) could not be written under key ${report.keyId}: keep PLATFORM_RETIRED_ENCRYPTION_KEYS, fix them and run again`
    )
  }
  if (!report.verified) {
    throw new Error(
      'values kept changing while they were rewritten (a reconfiguration meanwhile): keep PLATFORM_RETIRED_ENCRYPTION_KEYS and run again'
    )
  }
  console.log(
    `✔ every stored secret is under key ${report.keyId} (${rewritten} rewritten): PLATFORM_RETIRED_ENCRYPTION_KEYS can be removed`
  )
})
