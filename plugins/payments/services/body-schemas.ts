// Closed schemas of the bodies the plugin's services accept (issue #3's data rule: unknown fields are
// rejected). Checked before anything else runs, so a refused body changes nothing; each unknown field is
// a 400 field error naming it. Types and lengths only: the services keep their own range and pattern
// checks, whose messages the dashboard shows beside its inputs.
import { type Static, type TSchema, Type } from '@feathersjs/typebox'
import { schemaErrors, validationError } from '@masterstage/core'

const closed = { additionalProperties: false } as const
const idempotencyKey = Type.Optional(Type.String({ maxLength: 80 }))

export const checkoutBody = Type.Object(
  { invoiceId: Type.String({ maxLength: 64 }), token: Type.Optional(Type.String({ maxLength: 128 })) },
  closed
)

export const connectBody = Type.Object(
  {
    returnUrl: Type.Optional(Type.String({ maxLength: 2000 })),
    refreshUrl: Type.Optional(Type.String({ maxLength: 2000 })),
    idempotencyKey
  },
  closed
)

export const refundBody = Type.Object(
  { paymentId: Type.String({ maxLength: 64 }), amountMinor: Type.Optional(Type.Number()), idempotencyKey },
  closed
)

export const invoiceBody = Type.Object(
  {
    customer: Type.Object(
      { name: Type.String({ maxLength: 200 }), email: Type.String({ maxLength: 254 }) },
      closed
    ),
    lineItems: Type.Array(
      Type.Object(
        {
          description: Type.String({ maxLength: 200 }),
          quantity: Type.Number(),
          unitAmountMinor: Type.Number()
        },
        closed
      ),
      { maxItems: 50 }
    ),
    currency: Type.Optional(Type.String({ maxLength: 3 })),
    leadId: Type.Optional(Type.String({ maxLength: 64 })),
    idempotencyKey
  },
  closed
)

/** `invoices` resend and `invoice-reminders` create. */
export const resendBody = Type.Object({ invoiceId: Type.String({ maxLength: 64 }), idempotencyKey }, closed)

/** Validates `data` against `schema` (a missing body counts as `{}`); a 400 with every field error otherwise. */
export function checkBody<S extends TSchema>(schema: S, data: unknown, message: string): Static<S> {
  const body = data ?? {}
  const errors = schemaErrors(schema, body)
  if (errors.length) throw validationError(message, errors)
  return body as Static<S>
}

/** `webhook-events` replay and `webhook-event-replays` create. */
export const replayBody = Type.Object({ id: Type.String({ minLength: 1, maxLength: 255 }) }, closed)
