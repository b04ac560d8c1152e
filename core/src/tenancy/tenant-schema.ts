// TypeBox schemas of a tenant's editable parts: brand theme, legal details, slug and domain rules.
import { type Static, Type } from '@feathersjs/typebox'

/** Subdomains the platform keeps for itself; a tenant slug can never take them. */
export const RESERVED_SLUGS: ReadonlySet<string> = new Set([
  'www',
  'api',
  'app',
  'admin',
  'dashboard',
  'auth',
  'login',
  'static',
  'assets',
  'cdn',
  'mail',
  'email',
  'smtp',
  'status',
  'help',
  'support',
  'docs',
  'blog',
  'webhooks',
  'socket',
  'socket-io',
  'ws',
  'platform',
  'masterstage',
  'billing',
  'internal',
  'system',
  'root',
  'test',
  'localhost',
  'tenants',
  'agencies',
  'users'
])

export const SLUG_PATTERN = '^[a-z0-9]+(?:-[a-z0-9]+)*$'
/** Lowercase DNS hostname with at least one dot, each label 1-63 chars, no leading/trailing hyphen. */
export const HOSTNAME_PATTERN = '^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$'
const COLOR = Type.String({ pattern: '^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$' })

/**
 * Brand copy: free texts under simple keys, except the keys apps read as settings. Those must be well formed
 * (the storefront writes the locale's language into `<html lang>`, formatters throw on unknown values):
 * `locale` a BCP-47 shaped tag (`en-GB`), `timezone` an IANA-shaped zone name (`Europe/London`, `UTC`),
 * `currency` an ISO 4217 code (`GBP`).
 */
const brandCopySchema = Type.Record(
  Type.String({ pattern: '^[a-zA-Z0-9_.-]{1,64}$' }),
  Type.String({ maxLength: 5000 }),
  {
    // Checked on top of the record's rule for every key (JSON Schema applies both; the record already
    // says "string", so these only add the shape and a non-string gets one error, not two).
    properties: {
      locale: { pattern: '^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$', maxLength: 35 },
      timezone: { pattern: '^[A-Za-z][A-Za-z0-9_+-]*(?:/[A-Za-z0-9_+-]+){0,2}$', maxLength: 64 },
      currency: { pattern: '^[A-Z]{3}$' }
    }
  }
)

export const brandThemeSchema = Type.Object(
  {
    colors: Type.Object(
      {
        primary: COLOR,
        secondary: Type.Optional(COLOR),
        background: COLOR,
        text: COLOR,
        accent: Type.Optional(COLOR)
      },
      { additionalProperties: false }
    ),
    fonts: Type.Object(
      {
        heading: Type.String({ minLength: 1, maxLength: 80 }),
        body: Type.String({ minLength: 1, maxLength: 80 })
      },
      { additionalProperties: false }
    ),
    logoUrl: Type.Optional(Type.String({ format: 'uri', maxLength: 2048 })),
    copy: Type.Optional(brandCopySchema)
  },
  { additionalProperties: false }
)
export type BrandTheme = Static<typeof brandThemeSchema>

export const legalDetailsSchema = Type.Object(
  {
    companyName: Type.String({ minLength: 1, maxLength: 200 }),
    address: Type.Object(
      {
        line1: Type.String({ minLength: 1, maxLength: 200 }),
        line2: Type.Optional(Type.String({ maxLength: 200 })),
        postalCode: Type.String({ minLength: 1, maxLength: 20 }),
        city: Type.String({ minLength: 1, maxLength: 100 }),
        country: Type.String({ pattern: '^[A-Z]{2}$' })
      },
      { additionalProperties: false }
    ),
    vatId: Type.Optional(Type.String({ pattern: '^[A-Z0-9]{4,20}$' }))
  },
  { additionalProperties: false }
)
export type LegalDetails = Static<typeof legalDetailsSchema>

export const tenantCreateSchema = Type.Object(
  {
    slug: Type.String({ pattern: SLUG_PATTERN, minLength: 2, maxLength: 40 }),
    name: Type.String({ minLength: 1, maxLength: 120 }),
    agencyId: Type.String({ pattern: '^[0-9a-f]{24}$' }),
    domains: Type.Optional(
      Type.Array(Type.String({ pattern: HOSTNAME_PATTERN }), { maxItems: 10, uniqueItems: true })
    ),
    theme: Type.Optional(brandThemeSchema),
    legal: Type.Optional(legalDetailsSchema)
  },
  { additionalProperties: false }
)
export type TenantCreate = Static<typeof tenantCreateSchema>

/** What can change after creation (slug and agency are fixed: URLs and invoices refer to them). */
export const tenantPatchSchema = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 120 })),
    domains: Type.Optional(
      Type.Array(Type.String({ pattern: HOSTNAME_PATTERN }), { maxItems: 10, uniqueItems: true })
    ),
    theme: Type.Optional(brandThemeSchema),
    legal: Type.Optional(legalDetailsSchema)
  },
  { additionalProperties: false }
)
export type TenantPatch = Static<typeof tenantPatchSchema>

export const pluginEnableSchema = Type.Object(
  {
    tenantId: Type.String({ pattern: '^[0-9a-f]{24}$' }),
    plugin: Type.String({ pattern: SLUG_PATTERN }),
    settings: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    secrets: Type.Optional(Type.Record(Type.String(), Type.Unknown()))
  },
  { additionalProperties: false }
)
export const pluginDisableSchema = Type.Object(
  { tenantId: Type.String({ pattern: '^[0-9a-f]{24}$' }), plugin: Type.String({ pattern: SLUG_PATTERN }) },
  { additionalProperties: false }
)

export const agencyCreateSchema = Type.Object(
  {
    slug: Type.String({ pattern: SLUG_PATTERN, minLength: 2, maxLength: 40 }),
    name: Type.String({ minLength: 1, maxLength: 120 })
  },
  { additionalProperties: false }
)
export const agencyPatchSchema = Type.Object(
  { name: Type.Optional(Type.String({ minLength: 1, maxLength: 120 })) },
  { additionalProperties: false }
)
