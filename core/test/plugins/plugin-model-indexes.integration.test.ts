// A plugin model's unique index exists once the app has started: concurrent inserts of the same key on a
// fresh database, right after start, leave exactly one document.
import { randomBytes } from 'node:crypto'
import { Schema } from 'mongoose'
import { describe, expect, it } from 'vitest'
import { pluginModelName } from '../../src/plugins/load-plugins.ts'
import type { PluginManifest } from '../../src/plugins/plugin-manifest.ts'
import { startPluginTestApp } from './plugin-test-app.ts'

const ticketSchema = () => new Schema({ code: { type: String, required: true, unique: true }, owner: String })

describe('plugin model indexes', () => {
  it('are built before the app serves, so concurrent duplicates are refused', async () => {
    const plugin: PluginManifest = {
      name: 'tickets',
      version: '1.0.0',
      description: 'tickets plugin',
      models: [{ name: 'ticket', schema: ticketSchema(), tenantScoped: false }]
    }
    const t = await startPluginTestApp(`plugin-indexes-${randomBytes(3).toString('hex')}`, [plugin])
    try {
      const Ticket = t.app.get('mongoose').models[pluginModelName('tickets', 'ticket')]
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, index) => Ticket.create({ code: 'SAME', owner: `o${index}` }))
      )
      expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1)
      expect(await Ticket.countDocuments({ code: 'SAME' })).toBe(1)
    } finally {
      await t.close()
    }
  }, 60_000)
})
