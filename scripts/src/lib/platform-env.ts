// The environment `npm start` gives the API, worker and seed processes: the user's own variables win,
// the harness database, Redis and dev secrets fill in what is missing.
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { devSecretsFile } from './dev-secrets.ts'

export interface PlatformEnvInput {
  base: NodeJS.ProcessEnv
  mongoUri: string
  redisUrl: string
  dataDir: string
  port: number
}

export function platformEnv(input: PlatformEnvInput): NodeJS.ProcessEnv {
  const { base } = input
  const defaults: Record<string, string> = {
    NODE_ENV: 'development',
    HOST: '127.0.0.1',
    PORT: String(input.port),
    BASE_DOMAIN: 'localhost',
    PUBLIC_API_URL: `http://localhost:${input.port}`,
    // The web apps' dev servers (platform-processes.ts); also the API's default CORS origins.
    STOREFRONT_URL: 'http://localhost:3000',
    DASHBOARD_URL: 'http://localhost:3001',
    LOG_LEVEL: 'info',
    // The storefront and dashboard servers call the API from this machine and forward each visitor's
    // address: believed from loopback peers only, so per-IP limits count visitors, not the web servers.
    TRUST_PROXY: 'loopback',
    // The worker process runs the jobs; the API only enqueues them.
    RUN_WORKERS_IN_PROCESS: 'false',
    EMAIL_PROVIDER: 'outbox',
    EMAIL_OUTBOX_DIR: join(input.dataDir, 'outbox'),
    // One payments-sandbox signing secret for this run, shared by API and worker: events the worker's
    // sandbox delivers (expiry, delayed success) must verify at the API's webhook route.
    PAYMENTS_SANDBOX_WEBHOOK_SECRET: `whsec_sandbox_${randomBytes(24).toString('hex')}`
  }
  const env: NodeJS.ProcessEnv = { ...defaults, ...base }
  env.MONGODB_URI = input.mongoUri
  env.REDIS_URL = input.redisUrl
  // The children read the secrets from the file (core's loadConfig), so they never sit in an environment.
  env.DEV_SECRETS_FILE = base.DEV_SECRETS_FILE ?? devSecretsFile(input.dataDir)
  return env
}
