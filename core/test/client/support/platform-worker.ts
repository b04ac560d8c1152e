// The worker as production runs it: `core/src/worker.ts` in its own process, on the API's database, Redis
// and queue prefix, with the same plugins (a plugins folder of links to just those). Tests that need the
// API/worker split (event handlers running elsewhere than the sockets) start one beside startPlatformApi.
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const REPO = resolve(import.meta.dirname, '..', '..', '..', '..')
const READY_TIMEOUT_MS = 60_000

export interface RunningWorker {
  close(): Promise<void>
}

/** `env` is the environment the API's config was loaded from; `plugins` the plugin folder names. */
export async function startPlatformWorker(
  env: Record<string, string>,
  plugins: readonly string[]
): Promise<RunningWorker> {
  const pluginsDir = mkdtempSync(join(tmpdir(), 'ms-worker-plugins-'))
  for (const name of plugins) symlinkSync(join(REPO, 'plugins', name), join(pluginsDir, name), 'dir')
  const child = spawn(process.execPath, [join(REPO, 'core', 'src', 'worker.ts')], {
    cwd: REPO,
    env: { ...process.env, ...env, PLUGINS_DIR: pluginsDir, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  const output: string[] = []
  // The worker's own log, for a failing test to be read after the fact.
  mkdirSync(join(REPO, 'test-artifacts'), { recursive: true })
  const log = createWriteStream(join(REPO, 'test-artifacts', `worker-${plugins.join('-')}-${child.pid}.log`))
  child.stdout!.pipe(log)
  child.stderr!.pipe(log)
  const cleanup = () => {
    if (child.exitCode === null) child.kill('SIGKILL')
    rmSync(pluginsDir, { recursive: true, force: true })
  }
  process.once('exit', cleanup)
  try {
    await waitForLine(child, output, 'worker running')
  } catch (error) {
    cleanup()
    throw new Error(`${(error as Error).message}\n${output.join('').slice(-4000)}`)
  }
  return {
    async close() {
      if (child.exitCode === null) {
        child.kill('SIGTERM')
        await once(child, 'exit')
      }
      cleanup()
    }
  }
}

function waitForLine(child: ChildProcess, output: string[], text: string): Promise<void> {
  return new Promise((done, fail) => {
    const timer = setTimeout(
      () => fail(new Error(`worker not ready in ${READY_TIMEOUT_MS} ms`)),
      READY_TIMEOUT_MS
    )
    const onData = (chunk: Buffer) => {
      output.push(chunk.toString())
      if (output.length > 200) output.shift()
      if (chunk.toString().includes(text)) {
        clearTimeout(timer)
        done()
      }
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.once('exit', (code) => {
      clearTimeout(timer)
      fail(new Error(`worker exited (${code}) before it was ready`))
    })
  })
}
