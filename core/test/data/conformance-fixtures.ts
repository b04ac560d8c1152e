// Fixtures for the adapter conformance suite: a tenant-scoped "person" model with nested data, a secret
// field and a populate reference, its closed query schema and TypeBox data schemas (the pattern to copy).
import { Type } from '@feathersjs/typebox'
import { type Connection, type Model, Schema } from 'mongoose'
import { defineQuerySchema } from '../../src/data/query-schema.ts'
import { tenantScopedPlugin } from '../../src/data/tenant-scoped-plugin.ts'

export function definePeopleModels(connection: Connection): {
  Person: Model<any, any, any, any, any, any, any>
  Company: Model<any, any, any, any, any, any, any>
} {
  const companySchema = new Schema({
    name: { type: String, required: true },
    apiKey: { type: String, secret: true }
  })
  companySchema.plugin(tenantScopedPlugin)

  const personSchema = new Schema(
    {
      name: { type: String, required: true, maxlength: 100 },
      email: { type: String, required: true, lowercase: true, trim: true },
      age: { type: Number, min: 0, max: 150 },
      status: { type: String, enum: ['lead', 'customer'], default: 'lead' },
      address: { city: String, zip: String },
      tags: [String],
      passwordHash: { type: String, secret: true },
      company: { type: Schema.Types.ObjectId, ref: 'ConfCompany' }
    },
    { timestamps: true }
  )
  personSchema.plugin(tenantScopedPlugin)
  personSchema.index({ tenantId: 1, email: 1 }, { unique: true })

  return {
    Company: connection.model<any>('ConfCompany', companySchema),
    Person: connection.model<any>('ConfPerson', personSchema)
  }
}

/** What clients may query: everything else is a 400. */
export const peopleQuery = defineQuerySchema({
  fields: {
    name: ['$in', '$ne'],
    email: [],
    age: ['$lt', '$lte', '$gt', '$gte', '$ne', '$in', '$nin'],
    status: ['$in', '$nin', '$ne'],
    'address.city': ['$in']
  },
  sort: ['name', 'age', 'createdAt'],
  populate: ['company'],
  maxLimit: 25
})

/** TypeBox data schemas validated by validateBody before the adapter runs. */
export const personData = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    email: Type.String({ format: 'email' }),
    age: Type.Optional(Type.Integer({ minimum: 0, maximum: 150 })),
    status: Type.Optional(Type.Union([Type.Literal('lead'), Type.Literal('customer')])),
    address: Type.Optional(
      Type.Object(
        { city: Type.Optional(Type.String()), zip: Type.Optional(Type.String()) },
        { additionalProperties: false }
      )
    ),
    tags: Type.Optional(Type.Array(Type.String(), { maxItems: 20 })),
    company: Type.Optional(Type.String({ pattern: '^[0-9a-f]{24}$' }))
  },
  { additionalProperties: false }
)
export const personPatch = Type.Partial(personData, { additionalProperties: false })
