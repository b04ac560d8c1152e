// Files the web apps' tests need that are generated, not committed: the plugin UI registry and each
// SvelteKit app's .svelte-kit/tsconfig.json (`svelte-kit sync`). Run before vitest so a clean clone passes.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'

const WEB_APPS = ['storefront', 'dashboard'] as const

function run(label: string, args: string[], cwd: string): void {
  const result = spawnSync(process.execPath, args, {
    cwd,
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8'
  })
  if (result.status !== 0) {
    // Not fatal here: the affected test files fail with their own, more specific errors.
    console.error(
      `prepare: ${label} failed (exit ${result.status}): ${result.stderr.trim().split('\n').pop()}`
    )
  }
}

export function prepareGeneratedFiles(root: string): void {
  const apps = WEB_APPS.filter((app) => existsSync(join(root, app, 'svelte.config.js')))
  if (apps.length === 0) return
  run('ui registry', [join(root, 'scripts', 'src', 'generate-ui-registry.ts')], root)
  const svelteKit = join(root, 'node_modules', '@sveltejs', 'kit', 'svelte-kit.js')
  if (!existsSync(svelteKit)) return
  for (const app of apps) run(`svelte-kit sync (${app})`, [svelteKit, 'sync'], join(root, app))
}
