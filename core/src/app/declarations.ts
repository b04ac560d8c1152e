// Application-wide types. Services add themselves to ServiceTypes by declaration merging:
//   declare module '@masterstage/core' { interface ServiceTypes { 'pipeline/leads': LeadService } }
import type { HookContext as FeathersHookContext, NextFunction, Params } from '@feathersjs/feathers'
import type { Application as KoaApplication } from '@feathersjs/koa'
import type { Connection } from 'mongoose'
import type { Logger } from 'pino'
import type { Role } from '../auth/roles.ts'
import type { Config } from '../config/config.ts'
import type { EmailProvider } from '../email/email-provider.ts'
import type { EventBus } from '../events/domain-events.ts'
import type { PluginManifest } from '../plugins/plugin-manifest.ts'

// biome-ignore lint/suspicious/noEmptyInterface: extended by declaration merging
export interface ServiceTypes {}

/** The tenant a request addresses, resolved from Host or the tenant header before any hook runs. */
export interface ResolvedTenant {
  id: string
  slug: string
  agencyId: string
  enabledPlugins: readonly string[]
}

/** The authenticated user as services see it (never includes secret fields). */
export interface AuthenticatedUser {
  _id: string
  email: string
  role: Role
  agencyId?: string
  /** Tenants this user belongs to (host, attendee) or is assigned to (sales rep). */
  tenantIds: readonly string[]
  tokenVersion: number
}

export interface MasterstageParams<Q = any> extends Params<Q> {
  tenant?: ResolvedTenant
  user?: AuthenticatedUser
  requestId?: string
  ip?: string
}

/**
 * Shared infrastructure, set once at bootstrap (`app.get('events')`, ...). Engineers add fields here
 * for what they own; extend by declaration merging from other files if needed.
 */
export interface AppSettings {
  config: Config
  logger: Logger
  mongoose: Connection
  /** Durable domain events (core/src/events). */
  events: EventBus
  /** Email transport (core/src/email). */
  email: EmailProvider
  /** Loaded plugins by name, in dependency order (core/src/plugins). */
  plugins: ReadonlyMap<string, PluginManifest>
}

export type Application = KoaApplication<ServiceTypes, AppSettings>
export type HookContext<S = any> = FeathersHookContext<Application, S>
export type { NextFunction }
