// Finds the plugins installed in the workspace (`plugins/<name>/`) and imports their manifests: the
// entry is package.json's `masterstage.plugin`, or `plugin.ts` beside it.
import { existsSync, statSync } from 'node:fs'
import { readdir, readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { validateManifest } from './manifest-schema.ts'
import { PluginInvalidError } from './plugin-errors.ts'
import type { PluginManifest } from './plugin-manifest.ts'

export interface DiscoveredPlugin {
  name: string
  /** Absolute path of the plugin folder. */
  dir: string
  /** Absolute path of the module exporting the manifest. */
  entry: string
  manifest: PluginManifest
}

/** `pluginsDir` is the folder holding one folder per plugin (the repo's `plugins/`). Sorted by name. */
export async function discoverPlugins(pluginsDir: string): Promise<DiscoveredPlugin[]> {
  const root = resolve(pluginsDir)
  if (!existsSync(root)) return []
  const folders = (await readdir(root, { withFileTypes: true }))
    // A linked folder counts too (a plugin developed elsewhere and linked in, or a chosen subset).
    .filter((entry) => entry.isDirectory() || (entry.isSymbolicLink() && isDirectory(join(root, entry.name))))
    .filter((entry) => !entry.name.startsWith('.') && entry.name !== 'node_modules')
    .map((entry) => entry.name)
    .sort()
  const discovered: DiscoveredPlugin[] = []
  for (const folder of folders) {
    const dir = join(root, folder)
    const entry = await entryOf(dir)
    if (!entry) continue
    const module = (await import(pathToFileURL(entry).href)) as { default?: unknown; plugin?: unknown }
    const candidate = module.default ?? module.plugin
    if (!candidate) {
      throw new PluginInvalidError(
        `Plugin folder "${folder}": ${entry} has no default export (definePlugin({...}))`,
        {
          plugin: folder
        }
      )
    }
    const manifest = validateManifest(candidate, { dir })
    discovered.push({ name: manifest.name, dir, entry, manifest })
  }
  return discovered
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory()
  } catch {
    return false
  }
}

async function entryOf(dir: string): Promise<string | undefined> {
  const packageJson = join(dir, 'package.json')
  if (existsSync(packageJson)) {
    const declared = JSON.parse(await readFile(packageJson, 'utf8'))?.masterstage?.plugin
    if (typeof declared === 'string') {
      const entry = resolve(dir, declared)
      if (!existsSync(entry)) {
        throw new PluginInvalidError(
          `Plugin folder "${dir}": masterstage.plugin points to a missing file ${declared}`
        )
      }
      return entry
    }
  }
  const conventional = join(dir, 'plugin.ts')
  return existsSync(conventional) ? conventional : undefined
}
