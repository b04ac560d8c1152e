// Development secrets, created once under the data dir so restarts keep working tokens and decryptable
// tenant secrets. Production never uses this file: it sets JWT_SECRET and PLATFORM_ENCRYPTION_KEY itself.
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'

export interface DevSecrets {
  jwtSecret: string
  /** 32 bytes, base64. */
  encryptionKey: string
}

export function devSecretsFile(dataDir: string): string {
  return join(dataDir, 'dev-secrets.json')
}

export function ensureDevSecrets(dataDir: string): { secrets: DevSecrets; created: boolean } {
  const file = devSecretsFile(dataDir)
  if (existsSync(file)) {
    const secrets = JSON.parse(readFileSync(file, 'utf8')) as Partial<DevSecrets>
    if (typeof secrets.jwtSecret !== 'string' || typeof secrets.encryptionKey !== 'string') {
      throw new Error(
        `${file} is damaged (jwtSecret/encryptionKey missing): delete it to create new dev secrets`
      )
    }
    return { secrets: secrets as DevSecrets, created: false }
  }
  const secrets: DevSecrets = {
    jwtSecret: randomBytes(48).toString('base64url'),
    encryptionKey: randomBytes(32).toString('base64')
  }
  mkdirSync(dirname(file), { recursive: true })
  // 0600: only the developer's account can read it; `wx` refuses to overwrite a concurrent creation.
  writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600, flag: 'wx' })
  return { secrets, created: true }
}
