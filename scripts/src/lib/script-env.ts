// The environment a CLI script runs with: the user's variables, else the database and Redis of a running
// `npm start` (.data/runtime.json) and the dev secrets file; a clear error when there is no database.
import { existsSync } from 'node:fs'
import { devSecretsFile } from './dev-secrets.ts'
import { readRuntime } from './runtime-file.ts'

export class NoDatabaseError extends Error {
  constructor() {
    super(
      'No database to work on: start the platform with `npm start` in another terminal, ' +
        'or set MONGODB_URI (e.g. MONGODB_URI=mongodb://127.0.0.1:27017/masterstage).'
    )
    this.name = 'NoDatabaseError'
  }
}

export function scriptEnv(base: NodeJS.ProcessEnv, dataDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { LOG_LEVEL: 'warn', ...base }
  if (!env.MONGODB_URI) {
    const runtime = readRuntime(dataDir)
    if (!runtime) throw new NoDatabaseError()
    env.MONGODB_URI = runtime.mongoUri
    env.REDIS_URL ??= runtime.redisUrl
  }
  const secrets = devSecretsFile(dataDir)
  if (!env.DEV_SECRETS_FILE && existsSync(secrets)) env.DEV_SECRETS_FILE = secrets
  // Scripts only enqueue; the worker of the running platform processes the jobs.
  env.RUN_WORKERS_IN_PROCESS = 'false'
  return env
}
