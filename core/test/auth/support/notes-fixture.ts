// Test fixture plugin "notes": tenant-scoped models behind A's mongoose adapter, registered the one way
// every plugin service is (registerService), with a staff service and an attendee-owned service.
import { Type } from '@feathersjs/typebox'
import { Schema } from 'mongoose'
import type { Application } from '../../../src/app/declarations.ts'
import { registerService } from '../../../src/app/register-service.ts'
import { MongooseService } from '../../../src/data/mongoose-service.ts'
import { tenantScopedPlugin } from '../../../src/data/tenant-scoped-plugin.ts'
import { definePlugin } from '../../../src/plugins/plugin-manifest.ts'

export const notesManifest = definePlugin({
  name: 'notes',
  version: '1.0.0',
  description: 'Test fixture',
  config: {
    settings: Type.Object(
      {
        color: Type.String({ pattern: '^#[0-9a-f]{6}$' }),
        maxNotes: Type.Integer({ minimum: 1, default: 10 })
      },
      { additionalProperties: false }
    ),
    secrets: Type.Object({ apiKey: Type.String({ minLength: 8 }) }, { additionalProperties: false })
  }
})

export const STAFF = ['platform_admin', 'agency_admin', 'host', 'sales_rep'] as const

/** Sample create data per tenant-scoped fixture service, used by the generic isolation test. */
export const SAMPLE_DATA: Record<string, () => Record<string, unknown>> = {
  'notes/notes': () => ({ title: `note ${Math.random().toString(36).slice(2)}`, body: 'b' }),
  'notes/diary': () => ({ title: `entry ${Math.random().toString(36).slice(2)}` })
}

export function registerNotesFixture(app: Application): void {
  const connection = app.get('mongoose')
  const noteSchema = new Schema({ title: { type: String, required: true }, body: String, ownerId: String })
  noteSchema.plugin(tenantScopedPlugin)
  const diarySchema = new Schema({
    title: { type: String, required: true },
    ownerId: { type: String, required: true }
  })
  diarySchema.plugin(tenantScopedPlugin)
  const Note = connection.models.Note ?? connection.model('Note', noteSchema)
  const Diary = connection.models.Diary ?? connection.model('Diary', diarySchema)
  const query = { fields: { title: ['$eq', '$in'] as const, ownerId: ['$eq'] as const } }
  // The diary's `own` field is not queryable: the guard narrows through the adapter's trusted scopeFilter.
  const diaryQuery = { fields: { title: ['$eq', '$in'] as const } }

  registerService(app, {
    path: 'notes/notes',
    service: new MongooseService({ Model: Note, query, multi: false }),
    methods: ['find', 'get', 'create', 'update', 'patch', 'remove'],
    access: {
      find: 'authenticated',
      get: 'authenticated',
      create: [...STAFF],
      update: [...STAFF],
      patch: [...STAFF],
      remove: ['platform_admin', 'agency_admin', 'host']
    },
    plugin: 'notes',
    realtime: ['tenant-staff']
  })
  registerService(app, {
    path: 'notes/diary',
    service: new MongooseService({ Model: Diary, query: diaryQuery, multi: false }),
    methods: ['find', 'get', 'create', 'update', 'patch', 'remove'],
    access: {
      find: { roles: ['attendee', 'host'], own: 'ownerId' },
      get: { roles: ['attendee', 'host'], own: 'ownerId' },
      create: { roles: ['attendee'], own: 'ownerId' },
      update: { roles: ['attendee'], own: 'ownerId' },
      patch: { roles: ['attendee'], own: 'ownerId' },
      remove: { roles: ['attendee'], own: 'ownerId' }
    },
    plugin: 'notes',
    realtime: ['owner']
  })
}

/** Enables the fixture plugin for the given tenants (internal call, as the platform). */
export async function enableNotes(app: Application, tenantIds: readonly string[]): Promise<void> {
  for (const tenantId of tenantIds) {
    await (app as any).service('tenants').enablePlugin({
      tenantId,
      plugin: 'notes',
      settings: { color: '#112233' },
      secrets: { apiKey: 'sk_test_123456' }
    })
  }
}
