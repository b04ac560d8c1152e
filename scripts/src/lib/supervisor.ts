// Runs the platform's processes as children with prefixed output, and stops them gracefully.
import { type ChildProcess, spawn } from 'node:child_process'
import { createInterface } from 'node:readline'

export interface ProcessSpec {
  /** Short name used as the output prefix ('api', 'worker', 'storefront'). */
  name: string
  command: string
  args: readonly string[]
  env: NodeJS.ProcessEnv
  cwd?: string
}

export interface ManagedProcess {
  spec: ProcessSpec
  child: ChildProcess
  /** Resolves with the exit code (or the signal name) once the process has ended. */
  exited: Promise<number | string>
  /** True once stop() was called: an exit after that is expected. */
  stopping: boolean
}

function prefixLines(stream: NodeJS.ReadableStream | null, prefix: string, out: NodeJS.WriteStream): void {
  if (!stream) return
  createInterface({ input: stream }).on('line', (line) => out.write(`${prefix} ${line}\n`))
}

export function startProcess(spec: ProcessSpec): ManagedProcess {
  const child = spawn(spec.command, [...spec.args], {
    cwd: spec.cwd,
    env: spec.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Own process group: stop signals reach grandchildren too (npm → sh → vite), and a terminal's
    // Ctrl-C reaches only the supervisor, which then stops the children in order.
    detached: true
  })
  const prefix = `[${spec.name}]`.padEnd(12)
  prefixLines(child.stdout, prefix, process.stdout)
  prefixLines(child.stderr, prefix, process.stderr)
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'))
    child.once('error', (error) => {
      process.stderr.write(`${prefix} could not start: ${error.message}\n`)
      resolve(1)
    })
  })
  return { spec, child, exited, stopping: false }
}

function signalGroup(managed: ManagedProcess, signal: NodeJS.Signals): void {
  try {
    if (managed.child.pid) process.kill(-managed.child.pid, signal)
  } catch {
    managed.child.kill(signal)
  }
}

/** SIGTERM, then SIGKILL after `graceMs` if the process has not finished its shutdown. */
export async function stopProcess(managed: ManagedProcess, graceMs = 10_000): Promise<void> {
  managed.stopping = true
  if (managed.child.exitCode !== null || managed.child.signalCode !== null) {
    // The leader is gone, but grandchildren (a dev server under npm) may still hold the group.
    signalGroup(managed, 'SIGTERM')
    return
  }
  signalGroup(managed, 'SIGTERM')
  let timer: NodeJS.Timeout | undefined
  const killed = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      process.stderr.write(`[${managed.spec.name}] did not stop within ${graceMs} ms: killing it\n`)
      signalGroup(managed, 'SIGKILL')
      resolve()
    }, graceMs)
  })
  await Promise.race([managed.exited, killed])
  clearTimeout(timer)
  await managed.exited
}

/** Polls an HTTP URL until it answers (any status) or the deadline passes. */
export async function waitForHttp(url: string, timeoutMs: number, isAlive: () => boolean): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline && isAlive()) {
    try {
      await fetch(url, { signal: AbortSignal.timeout(1000) })
      return true
    } catch {
      await new Promise((r) => setTimeout(r, 250))
    }
  }
  return false
}
