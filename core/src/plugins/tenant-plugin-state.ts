// Per-tenant state of one plugin (enabled, settings with defaults, decrypted secrets), read from the
// tenancy models through the tenant directory's short cache. Backs ctx.tenants and the enabled guard.
import type { TSchema } from '@feathersjs/typebox'
import type { Application } from '../app/declarations.ts'
import { schemaErrors } from '../tenancy/schema-validation.ts'
import { createSecretBox, type SecretBox } from '../tenancy/secret-box.ts'
import { type TenancyModels, type TenantDocument, tenancyModels } from '../tenancy/tenancy-models.ts'
import { createTenantDirectory, type TenantDirectory } from '../tenancy/tenant-directory.ts'
import type { PluginTenantConfig } from './plugin-context.ts'
import type { PluginManifest } from './plugin-manifest.ts'

interface TenancyAccess {
  models: TenancyModels
  directory: TenantDirectory
}

const accessByApp = new WeakMap<Application, TenancyAccess>()

/** Prefers the tenant directory tenancy put on the app (its writes invalidate that cache at once). */
function tenancy(app: Application): TenancyAccess {
  let access = accessByApp.get(app)
  if (!access) {
    const models = tenancyModels(app.get('mongoose'))
    const shared = (app as any).get('tenantDirectory') as TenantDirectory | undefined
    access = { models, directory: shared ?? createTenantDirectory(models) }
    accessByApp.set(app, access)
  }
  return access
}

async function tenantById(app: Application, tenantId: string): Promise<TenantDocument | null> {
  return tenancy(app).directory.byId(tenantId)
}

export async function isPluginEnabledForTenant(
  app: Application,
  tenantId: string,
  plugin: string
): Promise<boolean> {
  const tenant = await tenantById(app, tenantId)
  return Boolean(tenant?.enabledPlugins.some((entry) => entry.name === plugin))
}

export function createPluginTenantConfig(app: Application, manifest: PluginManifest): PluginTenantConfig {
  let box: SecretBox | undefined
  const entryOf = async (tenantId: string) =>
    (await tenantById(app, tenantId))?.enabledPlugins.find((entry) => entry.name === manifest.name)
  return {
    isEnabled: (tenantId) => isPluginEnabledForTenant(app, tenantId, manifest.name),
    async settings(tenantId) {
      const settings = structuredClone((await entryOf(tenantId))?.settings ?? {})
      // Applies schema defaults in place; values were validated when the tenant configured the plugin.
      const schema = manifest.config?.settings as TSchema | undefined
      if (schema) schemaErrors(schema, settings)
      return settings
    },
    async secrets(tenantId) {
      const encrypted = (await entryOf(tenantId))?.secretsEncrypted ?? {}
      box ??= createSecretBox(app.get('config').encryptionKey)
      const secrets: Record<string, unknown> = {}
      for (const [name, ciphertext] of Object.entries(encrypted)) secrets[name] = box.decryptJson(ciphertext)
      return secrets
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
