// `.data/runtime.json`: where a running `npm start` put its database and Redis, so the CLI scripts
// (create-tenant, apply-tenants, ...) reach the same platform without extra flags.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'

export interface RuntimeInfo {
  pid: number
  mongoUri: string
  redisUrl: string
  apiUrl: string
}

export function runtimeFile(dataDir: string): string {
  return join(dataDir, 'runtime.json')
}

export function writeRuntime(dataDir: string, info: RuntimeInfo): void {
  mkdirSync(dirname(runtimeFile(dataDir)), { recursive: true })
  writeFileSync(runtimeFile(dataDir), `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 })
}

/** The running platform's info, or undefined when none runs (a stale file of a dead process is ignored). */
export function readRuntime(dataDir: string): RuntimeInfo | undefined {
  const file = runtimeFile(dataDir)
  if (!existsSync(file)) return undefined
  const info = JSON.parse(readFileSync(file, 'utf8')) as RuntimeInfo
  try {
    process.kill(info.pid, 0)
    return info
  } catch {
    return undefined
  }
}

export function removeRuntime(dataDir: string): void {
  rmSync(runtimeFile(dataDir), { force: true })
}
