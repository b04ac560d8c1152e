// Development-only secrets: generated once into a local file (mode 0600) so `npm start` works without
// setup and restarts keep sessions and encrypted data readable. Never used in production.
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'

export interface DevSecrets {
  jwtSecret: string
  /** 32 bytes, hex. */
  encryptionKey: string
}

export function loadDevSecrets(file: string): DevSecrets {
  if (existsSync(file)) {
    const stored = JSON.parse(readFileSync(file, 'utf8')) as Partial<DevSecrets>
    if (typeof stored.jwtSecret === 'string' && typeof stored.encryptionKey === 'string') {
      return { jwtSecret: stored.jwtSecret, encryptionKey: stored.encryptionKey }
    }
  }
  const secrets: DevSecrets = {
    jwtSecret: randomBytes(48).toString('base64url'),
    encryptionKey: randomBytes(32).toString('hex')
  }
  mkdirSync(dirname(file), { recursive: true })
  // 'wx' fails if another process created the file meanwhile; then we read theirs.
  try {
    writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600, flag: 'wx' })
  } catch {
    return JSON.parse(readFileSync(file, 'utf8')) as DevSecrets
  }
  return secrets
}
