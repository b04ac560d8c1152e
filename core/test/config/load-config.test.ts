// Configuration loading: defaults, every invalid or missing variable reported at once, dev secrets,
// and the non-zero exit of an entry point on invalid configuration (real child process).
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../../src/config/load-config.ts'

const valid = {
  MONGODB_URI: 'mongodb://127.0.0.1:27017/ms',
  JWT_SECRET: 'j'.repeat(40),
  PLATFORM_ENCRYPTION_KEY: randomBytes(32).toString('hex')
}

function problemsOf(env: NodeJS.ProcessEnv): { variable: string; message: string }[] {
  try {
    loadConfig(env)
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as ConfigError).data).toMatchObject({ code: 'CONFIG_INVALID' })
    return (error as ConfigError).problems
  }
  throw new Error('expected a ConfigError')
}

describe('loadConfig', () => {
  it('reads a bare JWT_EXPIRES_IN as seconds, so a token lives that long', async () => {
    const config = loadConfig({ ...valid, JWT_EXPIRES_IN: '900' })
    expect(config.jwtExpiresIn).toBe('900s')
    const { default: jwt } = await import('jsonwebtoken')
    const token = jwt.sign({ sub: 'u' }, 's'.repeat(32), { expiresIn: config.jwtExpiresIn as '900s' })
    const claims = jwt.decode(token) as { iat: number; exp: number }
    expect(claims.exp - claims.iat).toBe(900)
    expect(loadConfig({ ...valid, JWT_EXPIRES_IN: '15m' }).jwtExpiresIn).toBe('15m')
  })

  it('applies development defaults to a minimal environment', () => {
    const config = loadConfig(valid)
    expect(config).toMatchObject({
      env: 'development',
      port: 3030,
      host: '127.0.0.1',
      redisUrl: 'redis://127.0.0.1:6379',
      queuePrefix: 'ms',
      bodyLimitBytes: 1024 * 1024,
      logLevel: 'info',
      email: { provider: 'outbox' }
    })
    expect(config.encryptionKey).toHaveLength(32)
    expect(config.corsOrigins).toEqual(['http://localhost:5173', 'http://localhost:5174'])
  })

  it('accepts a base64 encryption key and explicit values', () => {
    const config = loadConfig({
      ...valid,
      PLATFORM_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      PORT: '0',
      LOG_LEVEL: 'debug',
      RUN_WORKERS_IN_PROCESS: 'false',
      CORS_ORIGINS: 'https://a.example.com, https://b.example.com/'
    })
    expect(config).toMatchObject({ port: 0, logLevel: 'debug', runWorkersInProcess: false })
    expect(config.corsOrigins).toEqual(['https://a.example.com', 'https://b.example.com'])
  })

  it('reports every wrong or missing variable at once, each with a clear message', () => {
    const problems = problemsOf({
      NODE_ENV: 'staging',
      PORT: 'eighty',
      MONGODB_URI: 'http://db',
      REDIS_URL: 'nope',
      JWT_SECRET: 'short',
      PLATFORM_ENCRYPTION_KEY: 'abcd',
      LOG_LEVEL: 'loud',
      RUN_WORKERS_IN_PROCESS: 'maybe',
      BODY_LIMIT_BYTES: '12',
      CORS_ORIGINS: '*',
      EMAIL_PROVIDER: 'pigeon',
      JWT_EXPIRES_IN: 'forever',
      QUEUE_PREFIX: 'has spaces',
      STOREFRONT_URL: 'ftp://x'
    })
    const variables = problems.map((p) => p.variable).sort()
    expect(variables).toEqual(
      [
        'BODY_LIMIT_BYTES',
        'CORS_ORIGINS',
        'EMAIL_PROVIDER',
        'JWT_EXPIRES_IN',
        'JWT_SECRET',
        'LOG_LEVEL',
        'MONGODB_URI',
        'NODE_ENV',
        'PLATFORM_ENCRYPTION_KEY',
        'PORT',
        'QUEUE_PREFIX',
        'REDIS_URL',
        'RUN_WORKERS_IN_PROCESS',
        'STOREFRONT_URL'
      ].sort()
    )
    expect(problems.find((p) => p.variable === 'PORT')?.message).toMatch(/integer from 0 to 65535/)
    expect(problems.find((p) => p.variable === 'JWT_SECRET')?.message).toMatch(/at least 32/)
  })

  it('reads retired encryption keys for rotation, each checked like the current key', () => {
    const retired = [randomBytes(32), randomBytes(32)]
    const config = loadConfig({
      ...valid,
      PLATFORM_RETIRED_ENCRYPTION_KEYS: `${retired[0].toString('hex')}, ${retired[1].toString('base64')}`
    })
    expect(config.retiredEncryptionKeys).toEqual(retired)
    expect(loadConfig(valid).retiredEncryptionKeys).toEqual([])
    const problems = problemsOf({
      ...valid,
      PLATFORM_RETIRED_ENCRYPTION_KEYS: `abcd,${valid.PLATFORM_ENCRYPTION_KEY}`
    })
    expect(problems).toEqual([
      { variable: 'PLATFORM_RETIRED_ENCRYPTION_KEYS[0]', message: expect.stringMatching(/32 bytes/) },
      {
        variable: 'PLATFORM_RETIRED_ENCRYPTION_KEYS',
        message: 'must not contain the current PLATFORM_ENCRYPTION_KEY'
      }
    ])
  })

  it('accepts replica-set connection strings with several hosts and refuses malformed ones', () => {
    const replicaSet =
      'mongodb://app:s3cret@mongo1:27017,mongo2:27017,[::1]:27019/ms?replicaSet=rs0&w=majority'
    expect(loadConfig({ ...valid, MONGODB_URI: replicaSet }).mongoUri).toBe(replicaSet)
    expect(loadConfig({ ...valid, MONGODB_URI: 'mongodb+srv://cluster0.example.net/ms' }).mongoUri).toContain(
      'cluster0'
    )
    for (const broken of [
      'mongodb://',
      'mongodb://a:1,,b:2/ms',
      'mongodb://a b/ms',
      'mongodb://h:99999/ms'
    ]) {
      expect(problemsOf({ ...valid, MONGODB_URI: broken }), broken).toEqual([
        { variable: 'MONGODB_URI', message: 'must be a valid URL' }
      ])
    }
  })

  it('requires MONGODB_URI and the secrets, naming each missing variable', () => {
    const problems = problemsOf({})
    expect(problems.map((p) => p.variable).sort()).toEqual([
      'JWT_SECRET',
      'MONGODB_URI',
      'PLATFORM_ENCRYPTION_KEY'
    ])
    expect(problems.every((p) => /required/.test(p.message))).toBe(true)
  })

  it('never echoes secret values in messages', () => {
    const problems = problemsOf({
      ...valid,
      JWT_SECRET: 'tiny-secret-value',
      MONGODB_URI: 'postgres://user:hunter2@db',
      SMTP_URL: 'http://user:smtp-pass@mail',
      EMAIL_PROVIDER: 'smtp'
    })
    const text = JSON.stringify(problems)
    for (const secret of ['tiny-secret-value', 'hunter2', 'smtp-pass']) expect(text).not.toContain(secret)
    expect(problems.map((p) => p.variable).sort()).toEqual(['JWT_SECRET', 'MONGODB_URI', 'SMTP_URL'])
  })

  it('generates development secrets once into DEV_SECRETS_FILE and reuses them', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ms-config-')), 'nested', 'dev-secrets.json')
    const env = { MONGODB_URI: valid.MONGODB_URI, DEV_SECRETS_FILE: file }
    const first = loadConfig(env)
    const second = loadConfig(env)
    expect(first.jwtSecret.length).toBeGreaterThanOrEqual(32)
    expect(second.jwtSecret).toBe(first.jwtSecret)
    expect(second.encryptionKey.equals(first.encryptionKey)).toBe(true)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(JSON.parse(readFileSync(file, 'utf8')).jwtSecret).toBe(first.jwtSecret)
  })

  it('refuses dev secrets in production', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ms-config-')), 'dev-secrets.json')
    const problems = problemsOf({
      NODE_ENV: 'production',
      MONGODB_URI: valid.MONGODB_URI,
      DEV_SECRETS_FILE: file,
      SMTP_URL: 'smtp://mail:25'
    })
    expect(problems.map((p) => p.variable).sort()).toEqual(['JWT_SECRET', 'PLATFORM_ENCRYPTION_KEY'])
  })
})

describe('entry point exit on invalid configuration', () => {
  const node = resolve('node_modules/.bin/node')
  const script = resolve('core/src/config/check-config.ts')
  const run = (env: Record<string, string>) =>
    spawnSync(node, [script], {
      env: { PATH: process.env.PATH ?? '', ...env },
      encoding: 'utf8',
      timeout: 20_000
    })

  it('prints every problem to stderr and exits non-zero', () => {
    const result = run({ PORT: '-1', JWT_SECRET: 'short' })
    expect(result.status).toBe(1)
    expect(result.stderr).toContain('Configuration is invalid')
    for (const variable of ['PORT', 'JWT_SECRET', 'MONGODB_URI', 'PLATFORM_ENCRYPTION_KEY']) {
      expect(result.stderr).toContain(`- ${variable}:`)
    }
    expect(result.stderr).not.toContain('short')
  })

  it('exits 0 on a valid configuration', () => {
    const result = run(valid)
    expect(result.stderr).toBe('')
    expect(result.status).toBe(0)
    expect(result.stdout).toContain('Configuration is valid')
  })
})
