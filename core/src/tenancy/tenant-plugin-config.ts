// Per-tenant plugin configuration: validates settings and secrets against the plugin manifest's schemas,
// encrypts secrets one by one and shows API clients only which secrets are configured.
import type { Application } from '../app/declarations.ts'
import { type FieldError, validationError } from '../errors/codes.ts'
import type { PluginManifest } from '../plugins/plugin-manifest.ts'
import { schemaErrors } from './schema-validation.ts'
import type { SecretBox } from './secret-box.ts'
import type { EnabledPluginDocument } from './tenancy-models.ts'

export function findManifest(app: Application, name: string): PluginManifest | undefined {
  return app.get('plugins')?.get(name)
}

export function decryptSecrets(box: SecretBox, encrypted: Record<string, string>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(encrypted).map(([key, value]) => [key, box.decryptJson(value)]))
}

/**
 * Builds the stored entry of a plugin for a tenant. Secrets not sent again keep their previous value, so
 * an admin can change settings without re-entering API keys. Throws 400 with field errors.
 */
export function buildPluginEntry(
  box: SecretBox,
  manifest: PluginManifest,
  input: { settings?: Record<string, unknown>; secrets?: Record<string, unknown> },
  previous: EnabledPluginDocument | undefined
): EnabledPluginDocument {
  const settings = structuredClone(input.settings ?? previous?.settings ?? {})
  const secrets = {
    ...(previous ? decryptSecrets(box, previous.secretsEncrypted) : {}),
    ...(input.secrets ?? {})
  }
  const errors: FieldError[] = []
  const settingsSchema = manifest.config?.settings
  if (settingsSchema) errors.push(...schemaErrors(settingsSchema, settings, 'settings'))
  else if (Object.keys(settings).length > 0)
    errors.push({ path: 'settings', message: 'this plugin has no settings' })
  const secretsSchema = manifest.config?.secrets
  if (secretsSchema) errors.push(...schemaErrors(secretsSchema, secrets, 'secrets'))
  else if (Object.keys(secrets).length > 0)
    errors.push({ path: 'secrets', message: 'this plugin has no secrets' })
  if (errors.length > 0) throw validationError(`Invalid configuration for plugin ${manifest.name}`, errors)
  return {
    name: manifest.name,
    settings,
    secretsEncrypted: Object.fromEntries(
      Object.entries(secrets).map(([key, value]) => [key, box.encryptJson(value)])
    ),
    enabledAt: previous?.enabledAt ?? new Date()
  }
}

/** What API responses show of a plugin entry: settings, and only which secrets are configured. */
export function publicPluginEntry(entry: EnabledPluginDocument) {
  return {
    name: entry.name,
    settings: entry.settings,
    secrets: Object.fromEntries(
      Object.keys(entry.secretsEncrypted ?? {}).map((key) => [key, { configured: true }])
    ),
    enabledAt: new Date(entry.enabledAt).toISOString()
  }
}
