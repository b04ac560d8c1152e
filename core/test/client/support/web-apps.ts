// Test support for the web apps: builds the storefront/dashboard when their sources are newer than the
// build (once per machine at a time, under a lock), and runs the built Node server on a free port.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs'
import { join, resolve } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { freePort } from '../../support/free-port.ts'

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..', '..', '..')
export type WebAppName = 'storefront' | 'dashboard'

const SOURCE_ROOTS = (app: WebAppName) => [
  join(REPO_ROOT, app, 'src'),
  join(REPO_ROOT, app, 'svelte.config.js'),
  join(REPO_ROOT, app, 'vite.config.ts'),
  join(REPO_ROOT, 'core', 'src', 'client'),
  join(REPO_ROOT, 'plugins', 'ui-registry.generated.ts'),
  // What plugin UI components compile from (not the plugins' server code, which the apps never bundle).
  ...pluginUiSources()
]

function pluginUiSources(): string[] {
  const plugins = join(REPO_ROOT, 'plugins')
  if (!existsSync(plugins)) return []
  return readdirSync(plugins).flatMap((plugin) =>
    ['storefront', 'dashboard'].map((part) => join(plugins, plugin, part))
  )
}

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0
  const stat = statSync(path)
  if (!stat.isDirectory()) return /\.(ts|js|svelte|json|html|css)$/.test(path) ? stat.mtimeMs : 0
  let newest = 0
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry.startsWith('.') || entry === 'test' || entry === 'build') continue
    newest = Math.max(newest, newestMtime(join(path, entry)))
  }
  return newest
}

function buildIsCurrent(app: WebAppName): boolean {
  const marker = join(REPO_ROOT, app, 'build', 'index.js')
  if (!existsSync(marker)) return false
  const sources = Math.max(...SOURCE_ROOTS(app).map(newestMtime))
  return statSync(marker).mtimeMs >= sources
}

async function withLock<T>(name: string, work: () => Promise<T> | T): Promise<T> {
  const dir = join(REPO_ROOT, 'test-artifacts')
  mkdirSync(dir, { recursive: true })
  const lock = join(dir, `.${name}.lock`)
  const deadline = Date.now() + 10 * 60_000
  for (;;) {
    try {
      closeSync(openSync(lock, 'wx'))
      break
    } catch {
      // A lock older than the deadline is from a killed run.
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 10 * 60_000) rmSync(lock, { force: true })
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}`)
      await sleep(500)
    }
  }
  try {
    return await work()
  } finally {
    rmSync(lock, { force: true })
  }
}

/** Runs `npm run build` in the app's workspace unless its build is newer than every source it uses. */
export async function ensureBuilt(app: WebAppName): Promise<void> {
  if (buildIsCurrent(app)) return
  await withLock(`build-${app}`, () => {
    if (buildIsCurrent(app)) return
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
    const result = spawnSync(npm, ['run', 'build', '--workspace', app], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      env: { ...process.env, NODE_ENV: 'production' },
      timeout: 8 * 60_000
    })
    if (result.status !== 0) {
      const log = join(REPO_ROOT, 'test-artifacts', `${app}-build.log`)
      writeFileSync(log, `${result.stdout}\n${result.stderr}`)
      throw new Error(`${app} build failed (exit ${result.status}); output in ${log}`)
    }
  })
}

export { freePort }

export interface RunningWebApp {
  port: number
  /** http://localhost:<port> (tenants: http://<slug>.localhost:<port>). */
  url: string
  output(): string
  close(): Promise<void>
}

/**
 * Starts `node <app>/build/index.js` (adapter-node) with the given environment and waits until it says it
 * listens. A free port can be taken by a parallel test file between choosing and binding it: then the
 * server exits (EADDRINUSE) and another port is tried, rather than trusting whoever answers on the port.
 */
export async function startWebApp(app: WebAppName, env: Record<string, string>): Promise<RunningWebApp> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort()
    const started = await spawnWebApp(app, env, port)
    if (started) return started
    if (attempt === 5) throw new Error(`${app} could not bind a free port in 5 attempts`)
  }
}

async function spawnWebApp(
  app: WebAppName,
  env: Record<string, string>,
  port: number
): Promise<RunningWebApp | null> {
  let output = ''
  const child: ChildProcess = spawn(process.execPath, [join(REPO_ROOT, app, 'build', 'index.js')], {
    cwd: join(REPO_ROOT, app),
    env: {
      ...process.env,
      NODE_ENV: 'production',
      HOST: '0.0.0.0',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      // adapter-node assumes https behind a proxy; the dashboard has one origin, stated here (CSRF checks use it).
      ...(app === 'dashboard' && { ORIGIN: `http://localhost:${port}` }),
      // The storefront serves many hosts, so no single ORIGIN: it is told the scheme instead (form checks).
      ...(app === 'storefront' && { SITE_PROTOCOL: 'http' }),
      ...env
    },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  child.stdout?.on('data', (chunk) => (output += chunk))
  child.stderr?.on('data', (chunk) => (output += chunk))
  const url = `http://localhost:${port}`
  const deadline = Date.now() + 30_000
  // adapter-node prints "Listening on http://0.0.0.0:<port>" once its own server is bound.
  while (!output.includes(`Listening on http://0.0.0.0:${port}`)) {
    if (child.exitCode !== null) {
      if (output.includes('EADDRINUSE')) return null
      throw new Error(`${app} exited (${child.exitCode}):\n${output}`)
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`${app} did not start on port ${port}:\n${output}`)
    }
    await sleep(100)
  }
  return {
    port,
    url,
    output: () => output,
    close: async () => {
      if (child.exitCode !== null) return
      const exited = new Promise((done) => child.once('exit', done))
      child.kill('SIGTERM')
      await Promise.race([exited, sleep(5_000)])
      if (child.exitCode === null) child.kill('SIGKILL')
    }
  }
}
