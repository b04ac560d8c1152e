// The tenants service: one tenant per influencer brand. Platform level (not tenant-scoped); who may see or
// change which tenant is decided by auth/policy.ts. Secrets of enabled plugins never leave the server.

import mongoose, { Types } from 'mongoose'
import type { Application, AuthenticatedUser, MasterstageParams } from '../app/declarations.ts'
import { ALL_KEYS } from '../app/invalidation-broadcast.ts'
import { canManageTenant } from '../auth/policy.ts'
import { isDuplicateKeyError } from '../data/duplicate-key.ts'
import { conflict, forbidden, notFound, validationError } from '../errors/codes.ts'
import { type PlatformEvent, writeWithPlatformEvent } from './platform-events.ts'
import { plainQuery } from './query-guard.ts'
import { schemaErrors } from './schema-validation.ts'
import type { TenantDocument } from './tenancy-models.ts'
import { claimDomains, releaseDomains } from './tenant-domains.ts'
import { buildPluginEntry, findManifest, publicPluginEntry } from './tenant-plugin-config.ts'
import {
  pluginDisableSchema,
  pluginEnableSchema,
  RESERVED_SLUGS,
  type TenantCreate,
  type TenantPatch,
  tenantCreateSchema,
  tenantPatchSchema
} from './tenant-schema.ts'

export const TENANTS_PATH = 'tenants'
const OBJECT_ID = /^[0-9a-f]{24}$/

export function publicTenant(tenant: TenantDocument) {
  return {
    _id: String(tenant._id),
    slug: tenant.slug,
    name: tenant.name,
    agencyId: tenant.agencyId,
    domains: [...tenant.domains],
    theme: tenant.theme,
    legal: tenant.legal,
    plugins: tenant.enabledPlugins.map(publicPluginEntry),
    revision: tenant.revision,
    createdAt: new Date(tenant.createdAt).toISOString(),
    updatedAt: new Date(tenant.updatedAt).toISOString()
  }
}
export type PublicTenant = ReturnType<typeof publicTenant>

function validate<T>(schema: Parameters<typeof schemaErrors>[0], data: unknown, message: string): T {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw validationError(message, [{ path: '', message: 'must be an object' }])
  }
  const input = data as Record<string, unknown>
  // Hostnames are case-insensitive: accept any case, store and compare lowercase.
  if (Array.isArray(input.domains)) {
    input.domains = input.domains.map((domain) =>
      typeof domain === 'string' ? domain.trim().toLowerCase() : domain
    )
  }
  const errors = schemaErrors(schema, input)
  if (errors.length > 0) throw validationError(message, errors)
  return input as T
}

function normalizeDomains(domains: readonly string[] | undefined): string[] | undefined {
  return domains ? [...domains] : undefined
}

export class TenantsService {
  app: Application
  constructor(app: Application) {
    this.app = app
  }

  private get access() {
    return this.app.get('access')
  }

  /** Tenants `user` may see (undefined user: internal call, everything). */
  private visibility(user: AuthenticatedUser | undefined): Record<string, unknown> {
    if (!user || user.role === 'platform_admin') return {}
    if (user.role === 'agency_admin') return { agencyId: user.agencyId ?? '-' }
    return { _id: mongoose.trusted({ $in: user.tenantIds.filter((id) => OBJECT_ID.test(id)) }) }
  }

  private async load(id: unknown, params: MasterstageParams): Promise<TenantDocument> {
    if (typeof id !== 'string' || !OBJECT_ID.test(id)) throw notFound('Tenant not found')
    const tenant = await this.access.tenancy.Tenant.findOne({ ...this.visibility(params.user), _id: id })
      .lean<TenantDocument>()
      .exec()
    if (!tenant) throw notFound('Tenant not found')
    return tenant
  }

  private assertManage(tenant: TenantDocument, params: MasterstageParams): void {
    if (params.user && !canManageTenant(params.user, { id: String(tenant._id), agencyId: tenant.agencyId })) {
      throw forbidden('You may not change this tenant')
    }
  }

  async find(params: MasterstageParams) {
    const { filter, limit, skip } = plainQuery(params.query, ['slug', 'agencyId'])
    const query = { ...filter, ...this.visibility(params.user) }
    const { Tenant } = this.access.tenancy
    const [total, data] = await Promise.all([
      Tenant.countDocuments(query).exec(),
      Tenant.find(query).sort({ slug: 1 }).skip(skip).limit(limit).lean<TenantDocument[]>().exec()
    ])
    return { total, limit, skip, data: data.map(publicTenant) }
  }

  async get(id: string, params: MasterstageParams) {
    return publicTenant(await this.load(id, params))
  }

  async create(data: TenantCreate, params: MasterstageParams) {
    const input = validate<TenantCreate>(tenantCreateSchema, data, 'Invalid tenant')
    if (RESERVED_SLUGS.has(input.slug)) {
      throw validationError('Invalid tenant', [{ path: 'slug', message: 'is reserved by the platform' }])
    }
    if (params.user && !canManageTenant(params.user, { id: '', agencyId: input.agencyId })) {
      throw forbidden('You may only create tenants in your own agency')
    }
    const { Agency, Tenant } = this.access.tenancy
    if (!(await Agency.exists({ _id: input.agencyId }).exec())) {
      throw validationError('Invalid tenant', [{ path: 'agencyId', message: 'no such agency' }])
    }
    const _id = new Types.ObjectId()
    const domains = normalizeDomains(input.domains) ?? []
    await claimDomains(this.access.tenancy, String(_id), domains)
    let created: TenantDocument
    try {
      created = await writeWithPlatformEvent(
        this.app,
        Tenant.db,
        async (session) => {
          const [document] = await Tenant.create(
            [{ ...input, _id, domains, enabledPlugins: [], revision: 1 }],
            { session }
          )
          return document.toObject() as TenantDocument
        },
        (tenant) => ({
          name: 'tenant.created',
          payload: { tenantId: String(_id), slug: tenant.slug, agencyId: tenant.agencyId },
          id: `tenant.created:${_id}`
        })
      )
    } catch (error) {
      await releaseDomains(this.access.tenancy, String(_id), domains)
      if (isDuplicateKeyError(error)) throw conflict(`Slug ${input.slug} is taken`, { field: 'slug' })
      throw error
    }
    await this.access.invalidations.publish('tenants', ALL_KEYS)
    return publicTenant(created)
  }

  async patch(id: string, data: TenantPatch, params: MasterstageParams) {
    const input = validate<TenantPatch>(tenantPatchSchema, data, 'Invalid tenant change')
    const tenant = await this.load(id, params)
    this.assertManage(tenant, params)
    const domains = normalizeDomains(input.domains)
    if (domains) await claimDomains(this.access.tenancy, id, domains)
    const updated = await this.access.tenancy.Tenant.findOneAndUpdate(
      { _id: id },
      { $set: { ...input, ...(domains && { domains }) }, $inc: { revision: 1 } },
      { returnDocument: 'after' }
    )
      .lean<TenantDocument>()
      .exec()
    if (!updated) throw notFound('Tenant not found')
    if (domains) {
      await releaseDomains(
        this.access.tenancy,
        id,
        tenant.domains.filter((domain) => !domains.includes(domain))
      )
    }
    await this.access.invalidations.publish('tenants', ALL_KEYS)
    return publicTenant(updated)
  }

  /** Enables a plugin for a tenant, or reconfigures it when already enabled. */
  async enablePlugin(data: unknown, params: MasterstageParams) {
    const input = validate<{ tenantId: string; plugin: string; settings?: any; secrets?: any }>(
      pluginEnableSchema,
      data,
      'Invalid plugin configuration'
    )
    const tenant = await this.load(input.tenantId, params)
    this.assertManage(tenant, params)
    const manifest = findManifest(this.app, input.plugin)
    if (!manifest)
      throw validationError('Unknown plugin', [{ path: 'plugin', message: 'no such plugin is installed' }])
    const enabled = new Set(tenant.enabledPlugins.map((plugin) => plugin.name))
    const missing = (manifest.dependsOn ?? []).filter((dependency) => !enabled.has(dependency))
    if (missing.length > 0) {
      throw validationError('Plugin dependencies are not enabled', [
        { path: 'plugin', message: `enable ${missing.join(', ')} first` }
      ])
    }
    const previous = tenant.enabledPlugins.find((plugin) => plugin.name === manifest.name)
    const entry = buildPluginEntry(this.access.secretBox, manifest, input, previous)
    const plugins = previous
      ? tenant.enabledPlugins.map((plugin) => (plugin.name === entry.name ? entry : plugin))
      : [...tenant.enabledPlugins, entry]
    const updated = await this.writePlugins(tenant, plugins, (revision) =>
      previous
        ? undefined
        : {
            name: 'tenant.plugin.enabled',
            payload: { tenantId: String(tenant._id), plugin: manifest.name },
            id: `tenant.plugin.enabled:${tenant._id}:${manifest.name}:${revision}`
          }
    )
    return publicTenant(updated)
  }

  async disablePlugin(data: unknown, params: MasterstageParams) {
    const input = validate<{ tenantId: string; plugin: string }>(pluginDisableSchema, data, 'Invalid request')
    const tenant = await this.load(input.tenantId, params)
    this.assertManage(tenant, params)
    if (!tenant.enabledPlugins.some((plugin) => plugin.name === input.plugin)) return publicTenant(tenant)
    const dependants = tenant.enabledPlugins.filter((plugin) =>
      findManifest(this.app, plugin.name)?.dependsOn?.includes(input.plugin)
    )
    if (dependants.length > 0) {
      throw conflict(
        `Plugins ${dependants.map((plugin) => plugin.name).join(', ')} depend on ${input.plugin}`
      )
    }
    const updated = await this.writePlugins(
      tenant,
      tenant.enabledPlugins.filter((plugin) => plugin.name !== input.plugin),
      (revision) => ({
        name: 'tenant.plugin.disabled',
        payload: { tenantId: String(tenant._id), plugin: input.plugin },
        id: `tenant.plugin.disabled:${tenant._id}:${input.plugin}:${revision}`
      })
    )
    return publicTenant(updated)
  }

  /** Optimistic write on `revision`: a concurrent change to the same tenant makes this a 409, not a lost update. */
  private async writePlugins(
    tenant: TenantDocument,
    plugins: TenantDocument['enabledPlugins'],
    eventOf: (revision: number) => PlatformEvent | undefined
  ) {
    const { Tenant } = this.access.tenancy
    const updated = await writeWithPlatformEvent(
      this.app,
      Tenant.db,
      async (session) => {
        const written = await Tenant.findOneAndUpdate(
          { _id: tenant._id, revision: tenant.revision },
          { $set: { enabledPlugins: plugins }, $inc: { revision: 1 } },
          { returnDocument: 'after', session }
        )
          .lean<TenantDocument>()
          .exec()
        if (!written) throw conflict('The tenant changed meanwhile; retry')
        return written
      },
      (written) => eventOf(written.revision)
    )
    await this.access.invalidations.publish('tenants', ALL_KEYS)
    return updated
  }
}
