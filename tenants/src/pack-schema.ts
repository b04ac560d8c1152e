// Schemas of the brand packs in tenants/: an agency file, one tenant file per influencer, demo users.
import { type Static, Type } from '@feathersjs/typebox'

const Slug = Type.String({ pattern: '^[a-z0-9]+(?:-[a-z0-9]+)*$', minLength: 2, maxLength: 48 })
const HexColor = Type.String({ pattern: '^#[0-9a-fA-F]{6}$' })
const Hostname = Type.String({ format: 'hostname', minLength: 3, maxLength: 253 })

export const AgencyPackSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    slug: Slug,
    name: Type.String({ minLength: 1, maxLength: 120 }),
    contactEmail: Type.String({ format: 'email' })
  },
  { additionalProperties: false }
)
export type AgencyPack = Static<typeof AgencyPackSchema>

export const ThemeSchema = Type.Object(
  {
    colors: Type.Object(
      {
        primary: HexColor,
        secondary: HexColor,
        accent: HexColor,
        background: HexColor,
        text: HexColor
      },
      { additionalProperties: false }
    ),
    fonts: Type.Object(
      { heading: Type.String({ minLength: 1 }), body: Type.String({ minLength: 1 }) },
      { additionalProperties: false }
    ),
    /** Path of the logo file, relative to the tenant folder. */
    logo: Type.String({ pattern: '^[\\w.-]+\\.svg$' })
  },
  { additionalProperties: false }
)

export const CopySchema = Type.Object(
  {
    headline: Type.String({ minLength: 1, maxLength: 140 }),
    subheadline: Type.String({ minLength: 1, maxLength: 280 }),
    callToAction: Type.String({ minLength: 1, maxLength: 40 }),
    about: Type.String({ minLength: 1, maxLength: 2000 }),
    footer: Type.String({ maxLength: 280 })
  },
  { additionalProperties: false }
)

export const PluginEntrySchema = Type.Object(
  {
    enabled: Type.Boolean(),
    /** Non-secret settings only; secrets are set per tenant through the API and stored encrypted. */
    settings: Type.Optional(Type.Record(Type.String(), Type.Unknown()))
  },
  { additionalProperties: false }
)

export const TenantPackSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    slug: Slug,
    name: Type.String({ minLength: 1, maxLength: 120 }),
    influencer: Type.Object(
      { name: Type.String({ minLength: 1 }), handle: Type.String({ pattern: '^@[\\w.]+$' }) },
      { additionalProperties: false }
    ),
    locale: Type.String({ pattern: '^[a-z]{2}(-[A-Z]{2})?$' }),
    timezone: Type.String({ minLength: 1 }),
    currency: Type.String({ pattern: '^[A-Z]{3}$' }),
    domains: Type.Array(Hostname, { uniqueItems: true, maxItems: 10 }),
    theme: ThemeSchema,
    copy: CopySchema,
    plugins: Type.Record(Type.String({ pattern: '^[a-z0-9]+(?:-[a-z0-9]+)*$' }), PluginEntrySchema)
  },
  { additionalProperties: false }
)
export type TenantPack = Static<typeof TenantPackSchema>

export const DemoUserSchema = Type.Object(
  {
    email: Type.String({ format: 'email' }),
    name: Type.String({ minLength: 1 }),
    role: Type.Union([
      Type.Literal('platform_admin'),
      Type.Literal('agency_admin'),
      Type.Literal('host'),
      Type.Literal('sales_rep'),
      Type.Literal('attendee')
    ]),
    password: Type.String({ minLength: 8 }),
    agency: Type.Optional(Slug),
    tenants: Type.Optional(Type.Array(Slug, { uniqueItems: true }))
  },
  { additionalProperties: false }
)
export const DemoUsersSchema = Type.Object(
  { $schema: Type.Optional(Type.String()), users: Type.Array(DemoUserSchema, { minItems: 1 }) },
  { additionalProperties: false }
)
export type DemoUser = Static<typeof DemoUserSchema>
