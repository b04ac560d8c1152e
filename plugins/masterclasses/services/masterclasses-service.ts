// The catalogue service: public find/get for the storefront, staff create/patch/remove. Input is checked
// against the TypeBox schemas (every field error at once) and endTime must follow startTime.
import type { Id, NullableId } from '@feathersjs/feathers'
import type { TObject } from '@feathersjs/typebox'
import type { FieldError } from '@masterstage/core'
import { MongooseService, type MongooseServiceParams, schemaErrors, validationError } from '@masterstage/core'
import type { Model } from 'mongoose'
import type { Masterclass, MasterclassInput } from '../contract.ts'
import {
  masterclassCreateSchema,
  masterclassPatchSchema,
  masterclassQuerySchema
} from './masterclass-schema.ts'

function checked<T>(schema: TObject, data: unknown, message: string): T {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw validationError(message, [{ path: '', message: 'must be an object' }])
  }
  const errors: FieldError[] = schemaErrors(schema, data)
  const { startTime, endTime } = data as Partial<MasterclassInput>
  if (errors.length === 0 && startTime && endTime && Date.parse(endTime) <= Date.parse(startTime)) {
    errors.push({ path: 'endTime', message: 'must be after startTime' })
  }
  if (errors.length > 0) throw validationError(message, errors)
  return data as T
}

export class MasterclassService extends MongooseService<Masterclass, MasterclassInput> {
  constructor(Model: Model<any>) {
    super({
      Model,
      query: masterclassQuerySchema,
      paginate: { default: 12, max: 100 },
      multi: false
    })
  }

  override async create(data: MasterclassInput, params?: MongooseServiceParams): Promise<any> {
    if (params?.provider) checked(masterclassCreateSchema, data, 'Invalid masterclass')
    return super.create(data, params)
  }

  override async patch(
    id: NullableId,
    data: Partial<MasterclassInput>,
    params?: MongooseServiceParams
  ): Promise<any> {
    if (params?.provider) {
      checked(masterclassPatchSchema, data, 'Invalid masterclass change')
      if (data.startTime || data.endTime) {
        const current = await this.get(id as Id, { ...params, query: {} })
        const startTime = data.startTime ?? new Date(current.startTime).toISOString()
        const endTime = data.endTime ?? new Date(current.endTime).toISOString()
        if (Date.parse(endTime) <= Date.parse(startTime)) {
          throw validationError('Invalid masterclass change', [
            { path: 'endTime', message: 'must be after startTime' }
          ])
        }
      }
    }
    return super.patch(id, data, params)
  }
}
