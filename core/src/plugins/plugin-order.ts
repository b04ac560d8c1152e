// Orders plugins so every plugin comes after its dependencies; deterministic (alphabetical among
// independent plugins) and strict: a missing dependency or a cycle stops boot, naming them.
import { PluginInvalidError } from './plugin-errors.ts'
import type { PluginManifest } from './plugin-manifest.ts'

export function orderPlugins<M extends Pick<PluginManifest, 'name' | 'dependsOn'>>(
  manifests: readonly M[]
): M[] {
  const byName = new Map<string, M>()
  for (const manifest of manifests) {
    if (byName.has(manifest.name)) {
      throw new PluginInvalidError(`Plugin "${manifest.name}" is installed twice`, { plugin: manifest.name })
    }
    byName.set(manifest.name, manifest)
  }
  for (const manifest of manifests) {
    for (const dependency of manifest.dependsOn ?? []) {
      if (!byName.has(dependency)) {
        throw new PluginInvalidError(
          `Plugin "${manifest.name}" depends on "${dependency}", which is not installed`,
          {
            plugin: manifest.name,
            errors: [{ path: 'dependsOn', message: `missing plugin "${dependency}"` }]
          }
        )
      }
    }
  }
  const ordered: M[] = []
  const done = new Set<string>()
  const visiting: string[] = []
  const visit = (name: string) => {
    if (done.has(name)) return
    const cycleStart = visiting.indexOf(name)
    if (cycleStart !== -1) {
      const cycle = [...visiting.slice(cycleStart), name]
      throw new PluginInvalidError(`Plugin dependency cycle: ${cycle.join(' -> ')}`, {
        plugin: name,
        errors: [{ path: 'dependsOn', message: `cycle ${cycle.join(' -> ')}` }]
      })
    }
    visiting.push(name)
    const manifest = byName.get(name)!
    for (const dependency of [...(manifest.dependsOn ?? [])].sort()) visit(dependency)
    visiting.pop()
    done.add(name)
    ordered.push(manifest)
  }
  for (const name of [...byName.keys()].sort()) visit(name)
  return ordered
}
