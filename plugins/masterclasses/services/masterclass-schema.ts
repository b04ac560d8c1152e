// TypeBox schemas validating client data for masterclasses, with field-level messages, and the closed
// query schema (what the storefront and dashboard may filter and sort by).
import { Type } from '@feathersjs/typebox'
import { defineQuerySchema } from '@masterstage/core'

const OBJECT_ID = '^[0-9a-f]{24}$'
const ISO_DATE_TIME = Type.String({ format: 'date-time' })

export const masterclassPriceSchema = Type.Object(
  {
    amount: Type.Integer({ minimum: 0, maximum: 100_000_000 }),
    currency: Type.String({ pattern: '^[A-Z]{3}$' })
  },
  { additionalProperties: false }
)

export const masterclassCreateSchema = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 140 }),
    description: Type.String({ minLength: 1, maxLength: 5000 }),
    hostId: Type.String({ pattern: OBJECT_ID }),
    startTime: ISO_DATE_TIME,
    endTime: ISO_DATE_TIME,
    price: masterclassPriceSchema,
    maxAttendees: Type.Integer({ minimum: 1, maximum: 100_000 })
  },
  { additionalProperties: false }
)

export const masterclassPatchSchema = Type.Partial(masterclassCreateSchema, { additionalProperties: false })

export const masterclassQuerySchema = defineQuerySchema({
  fields: {
    startTime: ['$gt', '$gte', '$lt', '$lte'],
    hostId: ['$in'],
    title: [],
    'price.amount': ['$gte', '$lte']
  },
  sort: ['startTime', 'title', 'price.amount', 'maxAttendees', 'createdAt'],
  maxLimit: 100
})
