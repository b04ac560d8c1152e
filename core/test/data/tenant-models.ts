// Test fixtures: two tenant-scoped models (lessons, enrollments referencing lessons) and a platform model.
import { type Connection, type Model, Schema } from 'mongoose'
import { tenantScopedPlugin } from '../../src/data/tenant-scoped-plugin.ts'

export function defineTenantModels(
  connection: Connection
): Record<'Lesson' | 'Enrollment' | 'Agency', Model<any, any, any, any, any, any, any>> {
  const lessonSchema = new Schema({
    title: { type: String, required: true },
    order: { type: Number, default: 0 },
    tags: [String],
    hostNotes: { type: String, secret: true }
  })
  lessonSchema.plugin(tenantScopedPlugin)
  lessonSchema.index({ tenantId: 1, order: 1 })

  const enrollmentSchema = new Schema({
    lesson: { type: Schema.Types.ObjectId, ref: 'Lesson' },
    email: { type: String, required: true }
  })
  enrollmentSchema.plugin(tenantScopedPlugin)
  enrollmentSchema.index({ tenantId: 1, email: 1 }, { unique: true })

  const agencySchema = new Schema({ name: String })

  return {
    Lesson: connection.model<any>('Lesson', lessonSchema),
    Enrollment: connection.model<any>('Enrollment', enrollmentSchema),
    Agency: connection.model<any>('Agency', agencySchema)
  }
}
