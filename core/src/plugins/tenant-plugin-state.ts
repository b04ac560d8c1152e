// Per-tenant state of one plugin (enabled, settings with defaults, decrypted secrets), read from the
// tenancy models through the tenant directory's short cache. Backs ctx.tenants, ctx.secrets and the
// enabled guard.
import { createHmac, createSecretKey, type KeyObject } from 'node:crypto'
import type { TSchema } from '@feathersjs/typebox'
import type { Application } from '../app/declarations.ts'
import { NOT_CACHED } from '../app/expiring-cache.ts'
import type { AccessRuntime } from '../auth/access-runtime.ts'
import type { Config } from '../config/config.ts'
import { schemaErrors } from '../tenancy/schema-validation.ts'
import { createSecretBox, purposeSecretBox, type SecretBox } from '../tenancy/secret-box.ts'
import { type TenancyModels, type TenantDocument, tenancyModels } from '../tenancy/tenancy-models.ts'
import { createTenantDirectory, type TenantDirectory } from '../tenancy/tenant-directory.ts'
import { decryptSecrets } from '../tenancy/tenant-plugin-config.ts'
import type { PluginConfig, PluginSecrets, PluginTenantConfig } from './plugin-context.ts'
import type { PluginManifest } from './plugin-manifest.ts'

interface TenancyAccess {
  models: TenancyModels
  directory: TenantDirectory
  secretBox: () => SecretBox
}

const fallbackByApp = new WeakMap<Application, TenancyAccess>()

/**
 * Prefers tenancy's runtime (`app.get('access')`): its directory is invalidated at once by tenant writes
 * and its secret box knows retired keys. The fallback serves apps assembled without it (tools, tests).
 */
function tenancy(app: Application): TenancyAccess {
  const runtime = (app as any).get('access') as
    | { tenancy: TenancyModels; tenants: TenantDirectory; secretBox: SecretBox }
    | undefined
  if (runtime)
    return { models: runtime.tenancy, directory: runtime.tenants, secretBox: () => runtime.secretBox }
  let access = fallbackByApp.get(app)
  if (!access) {
    const models = tenancyModels(app.get('mongoose'))
    let box: SecretBox | undefined
    access = {
      models,
      directory: createTenantDirectory(models),
      secretBox: () => {
        const config = app.get('config')
        box ??= createSecretBox(config.encryptionKey, config.retiredEncryptionKeys)
        return box
      }
    }
    fallbackByApp.set(app, access)
  }
  return access
}

async function tenantById(app: Application, tenantId: string): Promise<TenantDocument | null> {
  return tenancy(app).directory.byId(tenantId)
}

/** The directory's cached tenant without a load or a promise (the request path), else NOT_CACHED. */
function cachedTenantById(app: Application, tenantId: string): TenantDocument | null | typeof NOT_CACHED {
  const { directory } = tenancy(app)
  return directory.peek ? directory.peek('id', tenantId) : NOT_CACHED
}

function hasPlugin(tenant: TenantDocument | null, plugin: string): boolean {
  return Boolean(tenant?.enabledPlugins.some((entry) => entry.name === plugin))
}

/** isPluginEnabledForTenant answered from the cache, or undefined: then ask isPluginEnabledForTenant. */
export function pluginEnabledNow(app: Application, tenantId: string, plugin: string): boolean | undefined {
  const tenant = cachedTenantById(app, tenantId)
  return tenant === NOT_CACHED ? undefined : hasPlugin(tenant, plugin)
}

export async function isPluginEnabledForTenant(
  app: Application,
  tenantId: string,
  plugin: string
): Promise<boolean> {
  return hasPlugin(await tenantById(app, tenantId), plugin)
}

// Settings with defaults applied, per plugin entry of a cached tenant document: the directory hands out the
// same entry until a tenant write (broadcast to every process) replaces it, so plugins may read settings on
// every request. Shared between callers, hence frozen.
const parsedSettings = new WeakMap<object, Record<string, unknown>>()

function deepFreeze(value: unknown): void {
  if (!value || typeof value !== 'object' || Object.isFrozen(value)) return
  Object.freeze(value)
  for (const child of Object.values(value)) deepFreeze(child)
}

export function createPluginTenantConfig(app: Application, manifest: PluginManifest): PluginTenantConfig {
  const entryIn = (tenant: TenantDocument | null) =>
    tenant?.enabledPlugins.find((entry) => entry.name === manifest.name)
  const entryOf = async (tenantId: string) => entryIn(await tenantById(app, tenantId))
  const settingsOf = (entry: ReturnType<typeof entryIn>) => {
    const known = entry && parsedSettings.get(entry)
    if (known) return known
    const settings = structuredClone(entry?.settings ?? {})
    // Applies schema defaults in place; values were validated when the tenant configured the plugin.
    const schema = manifest.config?.settings as TSchema | undefined
    if (schema) schemaErrors(schema, settings)
    deepFreeze(settings)
    if (entry) parsedSettings.set(entry, settings)
    return settings
  }
  return {
    isEnabled: (tenantId) => isPluginEnabledForTenant(app, tenantId, manifest.name),
    settings(tenantId) {
      // Plugins read settings per request: a cached tenant answers without the directory's async load path.
      const cached = cachedTenantById(app, tenantId)
      if (cached !== NOT_CACHED) return Promise.resolve(settingsOf(entryIn(cached)))
      return entryOf(tenantId).then(settingsOf)
    },
    async secrets(tenantId) {
      return decryptSecrets(tenancy(app).secretBox(), (await entryOf(tenantId))?.secretsEncrypted ?? {})
    },
    async enabledTenantIds() {
      const tenants = await tenancy(app)
        .models.Tenant.find({ 'enabledPlugins.name': manifest.name }, { _id: 1 })
        .lean()
        .exec()
      return tenants.map((tenant) => String(tenant._id)).sort()
    }
  }
}

/** ctx.secrets: the platform's secret box (current and retired keys), bound to the plugin's name. */
export function createPluginSecrets(app: Application, manifest: PluginManifest): PluginSecrets {
  const derived = new Map<string, KeyObject>()
  return {
    forPurpose: (purpose) => purposeSecretBox(() => tenancy(app).secretBox(), manifest.name, purpose),
    derivedKey(label) {
      let key = derived.get(label)
      if (!key) {
        const root = (app.get('access') as AccessRuntime | undefined)?.derivationRoot ?? testOnlyRoot(app)
        const material = createHmac('sha256', root).update(`${manifest.name}.${label}`).digest()
        key = createSecretKey(material)
        derived.set(label, key)
      }
      return key
    }
  }
}

/**
 * Apps built without the access runtime (plugin-host tests) have no stored root: in tests they derive from
 * the platform key; anywhere else that would be a silent change of every derived key, so it is refused.
 */
function testOnlyRoot(app: Application): Buffer {
  const config = app.get('config')
  if (config.env !== 'test')
    throw new Error(
      'ctx.secrets.derivedKey needs the access runtime (configureAccess) and its derivation root'
    )
  return config.encryptionKey
}

/** What a plugin sees of the configuration: everything but the key material. */
export function pluginConfig(config: Config): PluginConfig {
  const { jwtSecret: _jwt, encryptionKey: _key, retiredEncryptionKeys: _retired, ...visible } = config
  return Object.freeze(visible)
}
