// Plugin lifecycle in the real app: dependency order for setup/start, reverse order for stop, models
// private to their plugin; boot refuses a cycle or a missing dependency before registering anything.
import { randomBytes } from 'node:crypto'
import { feathers } from '@feathersjs/feathers'
import { koa } from '@feathersjs/koa'
import { Schema } from 'mongoose'
import pino from 'pino'
import { describe, expect, it } from 'vitest'
import type { Application } from '../../src/app/declarations.ts'
import { loadPlugins } from '../../src/plugins/load-plugins.ts'
import type { PluginContext } from '../../src/plugins/plugin-context.ts'
import type { PluginManifest } from '../../src/plugins/plugin-manifest.ts'
import { startPluginTestApp } from './plugin-test-app.ts'

function recordingPlugin(name: string, log: string[], extra: Partial<PluginManifest> = {}): PluginManifest {
  return {
    name,
    version: '1.0.0',
    description: `${name} plugin`,
    setup: () => void log.push(`setup:${name}`),
    start: () => void log.push(`start:${name}`),
    stop: () => void log.push(`stop:${name}`),
    ...extra
  }
}

describe('plugin lifecycle', () => {
  it('sets up and starts in dependency order, stops in reverse, keeps models private', async () => {
    const log: string[] = []
    const contexts = new Map<string, PluginContext>()
    const capture = (name: string) => (ctx: PluginContext) => {
      contexts.set(name, ctx)
      log.push(`setup:${name}`)
    }
    const plugins = [
      recordingPlugin('gamma', log, { dependsOn: ['beta'] }),
      recordingPlugin('alpha', log, {
        models: [{ name: 'item', schema: new Schema({ label: String }) }],
        setup: capture('alpha')
      }),
      recordingPlugin('beta', log, {
        dependsOn: ['alpha'],
        models: [{ name: 'order', schema: new Schema({ total: Number }) }],
        setup: capture('beta')
      })
    ]
    const t = await startPluginTestApp('plugin-lifecycle', plugins)
    try {
      expect([...t.app.get('plugins').keys()]).toEqual(['alpha', 'beta', 'gamma'])
      expect(log).toEqual([
        'setup:alpha',
        'setup:beta',
        'setup:gamma',
        'start:alpha',
        'start:beta',
        'start:gamma'
      ])
      const beta = contexts.get('beta')!
      expect(beta.models.get('order').modelName).toBe('beta.order')
      expect(beta.models.get('order').collection.collectionName).toBe('beta_order')
      expect(() => beta.models.get('item')).toThrow('Plugin "beta" has no model "item"')
      expect(
        contexts
          .get('alpha')!
          .models.get('item')
          .schema.get('tenantScoped' as any)
      ).toBe(true)
      await expect(beta.jobs.enqueue('nope', {})).rejects.toThrow('Plugin "beta" has no job "nope"')
    } finally {
      await t.close()
    }
    expect(log.slice(-3)).toEqual(['stop:gamma', 'stop:beta', 'stop:alpha'])
  })

  it('refuses a dependency cycle or a missing dependency at boot', async () => {
    const app = koa(feathers()) as unknown as Application
    for (const setting of ['config', 'mongoose', 'events', 'email', 'jobs'] as const)
      app.set(setting, {} as any)
    app.set('logger', pino({ level: 'silent' }))
    const log: string[] = []
    await expect(
      loadPlugins(app, [
        recordingPlugin('a', log, { dependsOn: ['c'] }),
        recordingPlugin('b', log, { dependsOn: ['a'] }),
        recordingPlugin('c', log, { dependsOn: ['b'] })
      ])
    ).rejects.toThrow('Plugin dependency cycle: a -> c -> b -> a')
    const other = koa(feathers()) as unknown as Application
    for (const setting of ['config', 'mongoose', 'events', 'email', 'jobs'] as const)
      other.set(setting, {} as any)
    other.set('logger', pino({ level: 'silent' }))
    await expect(
      loadPlugins(other, [recordingPlugin('payments', log, { dependsOn: ['pipeline'] })])
    ).rejects.toThrow('Plugin "payments" depends on "pipeline", which is not installed')
    await expect(
      loadPlugins(koa(feathers()) as unknown as Application, [
        recordingPlugin(`p${randomBytes(2).toString('hex')}`, log)
      ])
    ).rejects.toThrow(/run configureEvents\(app\) first/)
    expect(log).toEqual([])
  })
})
