// What `npm start` runs: the API and the worker, plus each SvelteKit web app (storefront, dashboard) whose
// workspace is present with a `dev` script. A new process joins by adding an entry here; the banner
// prints every entry's URL.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { REPO_ROOT } from './paths.ts'
import type { ProcessSpec } from './supervisor.ts'

export interface PlatformProcess extends ProcessSpec {
  /** Printed in the start banner. */
  url?: string
  /** Polled until it answers before the platform counts as started. */
  readyUrl?: string
  /** A critical process stops the platform when it dies; a web app only warns (it is developed alongside). */
  critical: boolean
}

const WEB_APPS = [
  { name: 'storefront', port: 3000 },
  { name: 'dashboard', port: 3001 }
] as const

function hasDevScript(workspace: string): boolean {
  const manifest = join(REPO_ROOT, workspace, 'package.json')
  if (!existsSync(manifest) || !existsSync(join(REPO_ROOT, workspace, 'src'))) return false
  return typeof JSON.parse(readFileSync(manifest, 'utf8'))?.scripts?.dev === 'string'
}

export function platformProcesses(env: NodeJS.ProcessEnv, apiPort: number): PlatformProcess[] {
  const node = process.execPath
  const processes: PlatformProcess[] = [
    {
      name: 'api',
      command: node,
      args: [join(REPO_ROOT, 'core', 'src', 'main.ts')],
      env,
      cwd: REPO_ROOT,
      url: `http://localhost:${apiPort}`,
      readyUrl: `http://127.0.0.1:${apiPort}/health`,
      critical: true
    },
    {
      name: 'worker',
      command: node,
      args: [join(REPO_ROOT, 'core', 'src', 'worker.ts')],
      env,
      cwd: REPO_ROOT,
      critical: true
    }
  ]
  // START_WEB_APPS=false runs only the API and worker (tests, API-only work).
  const webApps = !/^(0|false|no)$/i.test(env.START_WEB_APPS ?? process.env.START_WEB_APPS ?? '')
  for (const app of webApps ? WEB_APPS : []) {
    if (!hasDevScript(app.name)) continue
    processes.push({
      name: app.name,
      command: 'npm',
      args: ['run', 'dev', '--silent', '--', '--port', String(app.port), '--strictPort'],
      env: { ...env, API_URL: `http://127.0.0.1:${apiPort}`, PORT: String(app.port) },
      cwd: join(REPO_ROOT, app.name),
      url: `http://localhost:${app.port}`,
      critical: false
    })
  }
  return processes
}
