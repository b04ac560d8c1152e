// Read-only list of installed plugins for staff: what each does, what it depends on and the JSON Schemas
// of its per-tenant settings and secrets, so the dashboard can generate configuration forms.
import type { Application } from '../app/declarations.ts'
import { notFound } from '../errors/codes.ts'
import type { PluginManifest } from '../plugins/plugin-manifest.ts'

export const PLUGIN_CATALOG_PATH = 'plugin-catalog'

/** TypeBox schemas are JSON Schema objects; a JSON round trip drops TypeBox's symbol keys. */
function jsonSchema(schema: unknown): Record<string, unknown> | null {
  return schema ? (JSON.parse(JSON.stringify(schema)) as Record<string, unknown>) : null
}

export function catalogEntry(manifest: PluginManifest) {
  return {
    name: manifest.name,
    version: manifest.version,
    description: manifest.description,
    dependsOn: [...(manifest.dependsOn ?? [])],
    settingsSchema: jsonSchema(manifest.config?.settings),
    secretsSchema: jsonSchema(manifest.config?.secrets)
  }
}
export type PluginCatalogEntry = ReturnType<typeof catalogEntry>

export class PluginCatalogService {
  app: Application
  constructor(app: Application) {
    this.app = app
  }

  private manifests(): PluginManifest[] {
    return [...(this.app.get('plugins')?.values() ?? [])]
  }

  async find(): Promise<PluginCatalogEntry[]> {
    return this.manifests()
      .map(catalogEntry)
      .sort((a, b) => a.name.localeCompare(b.name))
  }

  async get(name: string): Promise<PluginCatalogEntry> {
    const manifest = this.manifests().find((candidate) => candidate.name === name)
    if (!manifest) throw notFound(`No plugin ${String(name).slice(0, 60)} is installed`)
    return catalogEntry(manifest)
  }
}
