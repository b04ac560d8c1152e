// Plugins' platform config is read through core's environment reader: values reach each plugin by name,
// and every plugin's problems come back together in one ConfigError (boot stops before any setup).
import { describe, expect, it } from 'vitest'
import { ConfigError } from '../../src/config/load-config.ts'
import { validateManifest } from '../../src/plugins/manifest-schema.ts'
import { definePlugin } from '../../src/plugins/plugin-manifest.ts'
import { readPluginPlatformConfigs } from '../../src/plugins/plugin-platform-config.ts'

const video = definePlugin({
  name: 'video',
  version: '1.0.0',
  description: 'Video rooms',
  platformConfig: (env) => {
    const apiKey = env.raw('VIDEO_API_KEY')
    if (!apiKey) env.problem('VIDEO_API_KEY', 'is required')
    return { apiKey }
  }
})
const calendar = definePlugin({
  name: 'calendar',
  version: '1.0.0',
  description: 'Calendars',
  platformConfig: (env) => ({ syncMinutes: env.integer('CALENDAR_SYNC_MINUTES', 15, 1, 60) })
})
const plain = definePlugin({ name: 'plain', version: '1.0.0', description: 'No platform config' })

describe('plugin platform config', () => {
  it('hands each plugin what its platformConfig read', () => {
    const configs = readPluginPlatformConfigs([video, calendar, plain], {
      VIDEO_API_KEY: 'k',
      CALENDAR_SYNC_MINUTES: '5'
    })
    expect(configs.get('video')).toEqual({ apiKey: 'k' })
    expect(configs.get('calendar')).toEqual({ syncMinutes: 5 })
    expect(configs.has('plain')).toBe(false)
  })

  it('reports every plugin’s problems at once', () => {
    let caught: unknown
    try {
      readPluginPlatformConfigs([video, calendar], { CALENDAR_SYNC_MINUTES: '600' })
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(ConfigError)
    expect((caught as ConfigError).problems.map((problem) => problem.variable)).toEqual([
      'VIDEO_API_KEY',
      'CALENDAR_SYNC_MINUTES'
    ])
  })

  it('refuses a manifest whose platformConfig is not a function', () => {
    expect(() => validateManifest({ ...plain, platformConfig: { key: 'x' } } as never)).toThrow(
      /platformConfig/
    )
  })
})
