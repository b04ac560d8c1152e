// What a plugin receives from the host. Plugins reach everything through this, never by importing
// other plugins or reading global env.
import type { KeyObject } from 'node:crypto'
import type { Model } from 'mongoose'
import type { Logger } from 'pino'
import type { Application } from '../app/declarations.ts'
import type { Config } from '../config/config.ts'
import type { EmailProvider } from '../email/email-provider.ts'
import type { EventBus } from '../events/domain-events.ts'
import type { PurposeSecretBox } from '../tenancy/secret-box.ts'

export interface EnqueueOptions {
  /** Deduplicates: a job with the same id is not enqueued twice while it exists. */
  jobId?: string
  delayMs?: number
  /** Defaults to the current request scope's tenant. */
  tenantId?: string
}

export interface PluginJobs {
  /** `name` is the job's name within this plugin. Call after the database write succeeded. */
  enqueue(name: string, data: unknown, options?: EnqueueOptions): Promise<void>
}

export interface PluginTenantConfig<Settings = Record<string, unknown>, Secrets = Record<string, unknown>> {
  isEnabled(tenantId: string): Promise<boolean>
  /**
   * Validated per-tenant settings of this plugin (defaults applied). Cheap enough to read per request:
   * parsed once per tenant change, and frozen (shared between callers).
   */
  settings(tenantId: string): Promise<Settings>
  /** Decrypted per-tenant secrets of this plugin. Never log or return these. */
  secrets(tenantId: string): Promise<Secrets>
  /** Tenants that enabled this plugin (for per-tenant repeatable jobs). */
  enabledTenantIds(): Promise<string[]>
}

export interface PluginSecrets {
  /**
   * Encryption at rest of this plugin's data: values bound to this plugin, `purpose` and the tenant of each
   * call, under the platform key (values under a retired key still decrypt). Hands out no key material.
   */
  forPurpose(purpose: string): PurposeSecretBox
  /**
   * A key for this plugin's own MACs, signatures and lookup hashes (HMAC-SHA256 over `<plugin>.<label>` of
   * core's key-derivation root): distinct per plugin and label, stable across restarts and encryption-key
   * rotations, and not a key core encrypts with. A KeyObject (an HMAC keyed by a Buffer re-imports the key
   * on every call).
   */
  derivedKey(label: string): KeyObject
}

/**
 * The platform configuration without the key material core keeps to itself (JWT secret, encryption keys): the
 * interface does not hand it out. Not isolation: plugins are trusted code in the process (they also get `app`).
 */
export type PluginConfig = Readonly<Omit<Config, 'jwtSecret' | 'encryptionKey' | 'retiredEncryptionKeys'>>

export interface PluginContext {
  plugin: { name: string; version: string }
  app: Application
  config: PluginConfig
  /** What the manifest's `platformConfig` read at boot (undefined without one). */
  platformConfig: unknown
  logger: Logger
  events: EventBus
  jobs: PluginJobs
  /** This plugin's own models (tenant-scoped unless declared otherwise). */
  models: { get<T = any>(name: string): Model<T> }
  email: EmailProvider
  tenants: PluginTenantConfig
  secrets: PluginSecrets
}
