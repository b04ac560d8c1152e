// Reads every plugin's platform-level configuration (manifest `platformConfig`) through core's environment
// reader, so plugins never touch process.env and all their problems surface at boot in one ConfigError.
import { ConfigError, EnvReader } from '../config/load-config.ts'
import type { PluginManifest } from './plugin-manifest.ts'

/** Plugin name → its platform config; throws one ConfigError listing every plugin's problems. */
export function readPluginPlatformConfigs(
  manifests: readonly PluginManifest[],
  env: NodeJS.ProcessEnv
): Map<string, unknown> {
  const reader = new EnvReader(env)
  const configs = new Map<string, unknown>()
  for (const manifest of manifests) {
    if (manifest.platformConfig) configs.set(manifest.name, manifest.platformConfig(reader))
  }
  if (reader.problems.length > 0) throw new ConfigError(reader.problems)
  return configs
}
