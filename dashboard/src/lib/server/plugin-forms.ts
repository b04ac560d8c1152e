// Enables/configures plugins for a tenant from a dashboard form, in dependency order, collecting every
// field error under the plugin's form names (`plugin.<name>.settings.<key>`).
import { type MasterstageClient, toApiError } from '@masterstage/core/client'
import type { PluginCatalogEntry } from '@masterstage/core/web-api/plugin-catalog-service.ts'
import { type FormErrors, type JsonSchema, schemaValues } from '$lib/forms/form-values.ts'

export async function pluginCatalog(api: MasterstageClient): Promise<PluginCatalogEntry[]> {
  return (await api.service('plugin-catalog').find()) as PluginCatalogEntry[]
}

function dependencyOrder(chosen: PluginCatalogEntry[]): PluginCatalogEntry[] {
  const ordered: PluginCatalogEntry[] = []
  const pending = [...chosen]
  while (pending.length > 0) {
    const index = pending.findIndex((entry) =>
      entry.dependsOn.every(
        (dependency) =>
          ordered.some((done) => done.name === dependency) || !pending.some((p) => p.name === dependency)
      )
    )
    ordered.push(...pending.splice(index === -1 ? 0 : index, 1))
  }
  return ordered
}

/** Enables (or reconfigures) every checked plugin of the form. Returns field errors; empty when all applied. */
export async function enableCheckedPlugins(
  api: MasterstageClient,
  tenantId: string,
  form: FormData,
  catalog: PluginCatalogEntry[]
): Promise<FormErrors> {
  const checked = new Set(form.getAll('plugins').map(String))
  const errors: FormErrors = {}
  for (const entry of dependencyOrder(catalog.filter((candidate) => checked.has(candidate.name)))) {
    const settings = schemaValues(
      form,
      `plugin.${entry.name}.settings`,
      entry.settingsSchema as JsonSchema | null
    )
    const secrets = schemaValues(
      form,
      `plugin.${entry.name}.secrets`,
      entry.secretsSchema as JsonSchema | null
    )
    try {
      await (api.service('tenants') as any).enablePlugin({
        tenantId,
        plugin: entry.name,
        ...(entry.settingsSchema && { settings }),
        ...(Object.keys(secrets).length > 0 && { secrets })
      })
    } catch (error) {
      const apiError = toApiError(error)
      const fields = Object.entries(apiError.fields)
      if (fields.length === 0) errors[`plugin.${entry.name}`] = apiError.message
      for (const [path, message] of fields) {
        errors[path === 'plugin' || path === '_' ? `plugin.${entry.name}` : `plugin.${entry.name}.${path}`] =
          message
      }
    }
  }
  return errors
}
