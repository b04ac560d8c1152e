// Per-tenant settings of the payments plugin (validated by core when a tenant enables the plugin):
// invoice numbering, fee, legal details and brand printed on documents, who hears about disputes.
import { type Static, Type } from '@feathersjs/typebox'

export const paymentsSettingsSchema = Type.Object(
  {
    invoicePrefix: Type.String({ pattern: '^[A-Z0-9][A-Z0-9-]{0,11}$', default: 'INV' }),
    currency: Type.String({ pattern: '^[a-z]{3}$', default: 'usd' }),
    /** Platform fee in basis points of the total (500 = 5 %), set by the agency. */
    applicationFeeBps: Type.Integer({ minimum: 0, maximum: 10_000, default: 500 }),
    applicationFeeFixedMinor: Type.Integer({ minimum: 0, default: 0 }),
    paymentTermsDays: Type.Integer({ minimum: 0, maximum: 365, default: 14 }),
    legalName: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    legalAddress: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    taxId: Type.Optional(Type.String({ maxLength: 60 })),
    billingEmail: Type.Optional(Type.String({ format: 'email' })),
    brandColor: Type.Optional(Type.String({ pattern: '^#[0-9A-Fa-f]{6}$' })),
    /** Staff address for dispute alerts. */
    staffEmail: Type.Optional(Type.String({ format: 'email' })),
    country: Type.String({ pattern: '^[A-Z]{2}$', default: 'US' })
  },
  { additionalProperties: false }
)

export type PaymentsSettings = Static<typeof paymentsSettingsSchema>

export const DEFAULT_SETTINGS: PaymentsSettings = {
  invoicePrefix: 'INV',
  currency: 'usd',
  applicationFeeBps: 500,
  applicationFeeFixedMinor: 0,
  paymentTermsDays: 14,
  country: 'US'
}
