// Closed schemas of the bodies the plugin's services accept (issue #3's data rule: unknown fields are
// rejected), checked by core's validateBody in the services' before hooks (plugin.ts), so a refused body
// changes nothing; each unknown field is a 400 field error naming it. Types and lengths only: the services
// keep their own range and pattern checks, whose messages the dashboard shows beside its inputs.
import { Type } from '@feathersjs/typebox'

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

/** `webhook-event-replays` create. */
export const replayBody = Type.Object({ id: Type.String({ minLength: 1, maxLength: 255 }) }, closed)
