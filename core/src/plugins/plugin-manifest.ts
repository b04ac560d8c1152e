// The plugin contract: one manifest per plugin folder, validated by the host at boot.
import type { HookOptions, ServiceInterface } from '@feathersjs/feathers'
import type { TObject } from '@feathersjs/typebox'
import type { Schema } from 'mongoose'
import type { Role } from '../auth/roles.ts'
import type { EnvReader } from '../config/load-config.ts'
import type { DomainEvent, EventHandlerContext, EventName } from '../events/domain-events.ts'
import type { PluginContext } from './plugin-context.ts'

/** External service methods a plugin can expose. Internal callers can always use every method. */
export type ServiceMethod = 'find' | 'get' | 'create' | 'update' | 'patch' | 'remove'

/**
 * Who may call a method from outside. Tenant membership is checked by core's policy for every
 * rule except 'public' (which still needs a resolved tenant for tenant-scoped services).
 * `own`: attendees (or any listed role) only see/modify documents whose `own` field is their user id.
 */
export type AccessRule =
  | 'public'
  | 'authenticated'
  | readonly Role[]
  | { roles: readonly Role[]; own?: string }

export type AccessRules = Partial<Record<ServiceMethod | (string & {}), AccessRule>>

/** Which connections receive a service's realtime events. Nothing is published unless listed. */
export type RealtimeAudience =
  | 'tenant-staff'
  | 'tenant-all'
  | { resourceField: string; channel: string }
  | 'owner'

export interface PluginServiceDefinition {
  /** Relative to the plugin: 'leads' is mounted at `<plugin>/leads`. */
  path: string
  create: (ctx: PluginContext) => ServiceInterface<any, any, any, any>
  /** Externally exposed methods (Feathers `methods` option). */
  methods: readonly string[]
  /** Custom realtime events beyond created/updated/patched/removed. */
  events?: readonly string[]
  access: AccessRules
  hooks?: HookOptions<any, any>
  /** Realtime audience for this service's events (default: nothing is published). */
  realtime?: readonly RealtimeAudience[]
  /** Platform-level services (not per tenant) set this to false. Default true. */
  tenantScoped?: boolean
}

export interface PluginModelDefinition {
  name: string
  schema: Schema
  /** Default true: core's tenancy plugin stamps and filters `tenantId` on every operation. */
  tenantScoped?: boolean
}

export interface PluginJobDefinition<Data = any> {
  /** Queue name suffix; the queue is `<plugin>.<name>`. */
  name: string
  /** Runs in the job's tenant scope; must be idempotent (jobs are at-least-once). */
  handle: (data: Data, ctx: PluginContext & { attempt: number; jobId: string }) => Promise<void>
  attempts?: number
  backoffMs?: number
  /** Cron expression for repeatable jobs (run once per tenant with the plugin enabled, or once globally). */
  repeat?: { cron: string; perTenant: boolean }
  concurrency?: number
}

export interface PluginWebhookRoute {
  method: 'POST' | 'GET'
  /** Mounted at `/webhooks/<plugin>/<path>`. */
  path: string
  /** Receives the raw body (for signature checks). Answers with status/body; must be idempotent. */
  handle: (
    request: {
      rawBody: Buffer
      headers: Record<string, string | string[] | undefined>
      query: Record<string, string>
    },
    ctx: PluginContext
  ) => Promise<{ status: number; body?: unknown }>
  rateLimit?: { points: number; durationSeconds: number }
}

export interface PluginSubscriber<N extends EventName = EventName> {
  event: N
  /** Stable name: keys exactly-once delivery. Defaults to `<plugin>.<event>`. */
  name?: string
  /**
   * Runs in the event's tenant scope, at least once; exactly once in effect per (event, handler).
   * Gets the plugin's context (models, email, jobs...) merged with the delivery's (attempt, once).
   * Skipped for tenants that have not enabled the plugin.
   */
  handle: (event: DomainEvent<N>, ctx: PluginContext & EventHandlerContext) => Promise<void>
}

/** UI contributions: module paths (relative to the plugin folder) of Svelte components. */
export interface PluginUiContributions {
  storefront?: {
    pages?: readonly { path: string; component: string; title: string }[]
    sections?: readonly { id: string; component: string; order?: number }[]
    accountSlots?: readonly { id: string; component: string; title: string }[]
  }
  dashboard?: {
    nav?: readonly { label: string; href: string; roles: readonly Role[]; icon?: string }[]
    pages?: readonly { path: string; component: string; title: string; roles: readonly Role[] }[]
    widgets?: readonly {
      id: string
      component: string
      title: string
      roles: readonly Role[]
      order?: number
    }[]
  }
}

/** Core's environment reader as a plugin's `platformConfig` sees it (see config/load-config.ts). */
export type PlatformEnvReader = Pick<EnvReader, 'raw' | 'problem' | 'oneOf' | 'integer' | 'boolean' | 'url'>

export interface PluginManifest {
  /** One identifier: folder name, service path prefix, event prefix, job prefix. kebab-case. */
  name: string
  version: string
  description: string
  dependsOn?: readonly string[]
  /** Per-tenant settings and secrets, validated when a tenant enables/configures the plugin. */
  config?: { settings?: TObject; secrets?: TObject }
  /**
   * Platform-level configuration (provider keys, modes), the same for every tenant: the host reads it
   * through core's environment reader before any plugin is set up, reports every plugin's problems at
   * once (ConfigError, boot stops) and hands the result to the plugin as `ctx.platformConfig`.
   */
  platformConfig?: (env: PlatformEnvReader) => unknown
  models?: readonly PluginModelDefinition[]
  services?: readonly PluginServiceDefinition[]
  subscribers?: readonly PluginSubscriber<any>[]
  jobs?: readonly PluginJobDefinition[]
  webhooks?: readonly PluginWebhookRoute[]
  ui?: PluginUiContributions
  /**
   * After an encryption key rotation: writes every value this plugin encrypted (ctx.secrets.forPurpose) and
   * that is not under the current key again under it (`npm run secrets:rewrap`), so the retired key can be
   * dropped. Safe to run again and alongside the running platform (each write conditional on the old value).
   * Gets every tenant's id (data may outlive a tenant's disabling the plugin); reads each in its tenant's
   * scope (runAsSystem) and reports progress per tenant.
   */
  rewrapSecrets?: (ctx: PluginContext, pass: SecretsRewrapPass) => Promise<SecretsRewrapResult>
  /** Lifecycle: setup after models/services are registered; start when the app listens; stop on shutdown. */
  setup?: (ctx: PluginContext) => Promise<void> | void
  start?: (ctx: PluginContext) => Promise<void> | void
  stop?: (ctx: PluginContext) => Promise<void> | void
}

export interface SecretsRewrapPass {
  /** Every tenant of the platform, in id order. */
  tenantIds: readonly string[]
  /** Call with the number of tenants done so far. */
  progress(checked: number): void
}

/** What one rewrap pass did: values written again, values already current, values it could not rewrite. */
export interface SecretsRewrapResult {
  rewritten: number
  current: number
  /** By record id, with the error code or reason (never the value). */
  failed: { id: string; reason: string }[]
}

/** Returns its argument; exists for type inference (the host validates the manifest at boot). */
export function definePlugin<const M extends PluginManifest>(manifest: M): M {
  return manifest
}
