// The docker stack's configuration, checked with the production loaders since no container can run here:
// the API/worker environment (env/platform.env + compose's secrets) must pass core's loadConfig and every
// plugin's platform config, and the web containers must set the variables the apps actually read.
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../core/src/config/load-config.ts'
import { discoverPlugins } from '../../core/src/plugins/discover-plugins.ts'
import { readPluginPlatformConfigs } from '../../core/src/plugins/plugin-platform-config.ts'

const repo = resolve(import.meta.dirname, '..', '..')
const read = (path: string) => readFileSync(join(repo, path), 'utf8')

function envFile(path: string): Record<string, string> {
  const entries = read(path)
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)])
  return Object.fromEntries(entries)
}

/** The `x-platform-env` block: variable → required (`${X:?…}`) or optional (`${X:-}`). */
function composePlatformSecrets(): Map<string, boolean> {
  const block = read('docker/compose.yaml').split('x-platform-env: &platform-env\n')[1].split('\n\n')[0]
  const secrets = new Map<string, boolean>()
  for (const match of block.matchAll(/^ {2}([A-Z0-9_]+): \$\{\1:([?-])/gm))
    secrets.set(match[1], match[2] === '?')
  return secrets
}

/** What an operator puts in docker/.env: the required secrets, in the formats .env.example describes. */
const operatorSecrets: Record<string, string> = {
  JWT_SECRET: randomBytes(32).toString('base64'),
  PLATFORM_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  STRIPE_SECRET_KEY: `sk_test_${randomBytes(12).toString('hex')}`,
  STRIPE_WEBHOOK_SECRETS: `whsec_${randomBytes(12).toString('hex')}`
}

function platformEnv(): Record<string, string> {
  const env: Record<string, string> = { ...envFile('docker/env/platform.env') }
  for (const [name, required] of composePlatformSecrets()) {
    env[name] = required ? operatorSecrets[name] : ''
  }
  return env
}

describe('docker compose configuration', () => {
  it('gives the API and worker an environment the production loaders accept', async () => {
    const secrets = composePlatformSecrets()
    expect([...secrets].filter(([, required]) => required).map(([name]) => name)).toEqual(
      Object.keys(operatorSecrets)
    )
    const env = platformEnv()
    const config = loadConfig(env)
    expect(config.env).toBe('production')
    expect(config.mongoUri).toContain('replicaSet=rs0')
    expect(config.runWorkersInProcess).toBe(false)
    expect(config.trustProxy).toEqual(['private'])
    const plugins = await discoverPlugins(join(repo, 'plugins'))
    const platformConfigs = readPluginPlatformConfigs(
      plugins.map((plugin) => plugin.manifest),
      env
    )
    expect(platformConfigs.get('payments')).toMatchObject({ provider: 'stripe' })
  })

  it('documents every variable docker/.env must or may set', () => {
    const documented = new Set(
      [...read('docker/.env.example').matchAll(/^#?\s*([A-Z0-9_]+)=/gm)].map((match) => match[1])
    )
    for (const name of composePlatformSecrets().keys()) expect(documented, name).toContain(name)
  })

  it('sets the variables the web apps read, and none they do not', () => {
    const web = envFile('docker/env/web.env')
    const settings = ['storefront', 'dashboard']
      .map((app) => read(`${app}/src/lib/server/settings.ts`))
      .join('\n')
    const read_ = new Set([...settings.matchAll(/env\.([A-Z0-9_]+)/g)].map((match) => match[1]))
    const sveltekit = new Set(['NODE_ENV', 'ORIGIN', 'PORT', 'HOST'])
    for (const name of Object.keys(web)) expect(read_.has(name) || sveltekit.has(name), name).toBe(true)
    expect(web.API_URL).toBe('http://api:3030')
    expect(web.REDIS_URL).toBe('redis://redis:6379')
    expect(web.QUEUE_PREFIX).toBe(envFile('docker/env/platform.env').QUEUE_PREFIX)
  })

  it("keeps the operator's secrets file out of every image", () => {
    for (const file of ['platform.Dockerfile.dockerignore', 'web.Dockerfile.dockerignore']) {
      const patterns = read(`docker/${file}`)
        .split('\n')
        .map((line) => line.trim())
      // A bare `.env` would match only at the context root (the repo), not docker/.env.
      expect(patterns, file).toContain('**/.env')
      expect(patterns, file).toContain('**/*.local.env')
    }
  })

  it('lets the storefront serve every tenant host: no fixed ORIGIN, the scheme stated instead', () => {
    const service = (name: string) => read('docker/compose.yaml').split(`\n  ${name}:\n`)[1].split('\n\n')[0]
    const storefront = service('storefront')
    expect(storefront).not.toMatch(/^\s+ORIGIN:/m)
    expect(storefront).toMatch(/^\s+SITE_PROTOCOL: https?$/m)
    // The dashboard has one origin, which its CSRF checks need.
    expect(service('dashboard')).toMatch(/^\s+ORIGIN: http:\/\/localhost:3001$/m)
  })
})
