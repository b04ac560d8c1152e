// What `npm start` runs. Extension point: the storefront and dashboard join here as two more entries
// (e.g. { name: 'storefront', command: npm, args: ['run', 'dev', '--workspace', 'storefront'], url })
// once their workspaces exist; the banner prints every entry's URL.
import { join } from 'node:path'
import { REPO_ROOT } from './paths.ts'
import type { ProcessSpec } from './supervisor.ts'

export interface PlatformProcess extends ProcessSpec {
  /** Printed in the start banner. */
  url?: string
  /** Polled until it answers before the platform counts as started. */
  readyUrl?: string
}

export function platformProcesses(env: NodeJS.ProcessEnv, apiPort: number): PlatformProcess[] {
  const node = process.execPath
  return [
    {
      name: 'api',
      command: node,
      args: [join(REPO_ROOT, 'core', 'src', 'main.ts')],
      env,
      cwd: REPO_ROOT,
      url: `http://localhost:${apiPort}`,
      readyUrl: `http://127.0.0.1:${apiPort}/health`
    },
    {
      name: 'worker',
      command: node,
      args: [join(REPO_ROOT, 'core', 'src', 'worker.ts')],
      env,
      cwd: REPO_ROOT
    }
  ]
}
