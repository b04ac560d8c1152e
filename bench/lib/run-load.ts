// Starts one load-generator child process for a spec and resolves with its report.
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { LoadResult, LoadSpec } from './load-spec.ts'

const workerFile = fileURLToPath(new URL('./load-worker.ts', import.meta.url))

export function runLoad(spec: LoadSpec): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(workerFile, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    let result: LoadResult | undefined
    child.once('message', (message) => {
      result = message as LoadResult
    })
    child.once('error', reject)
    child.once('exit', (code) => {
      if (result) resolve(result)
      else reject(new Error(`load generator exited with code ${code} before reporting`))
    })
    child.send(spec)
  })
}
