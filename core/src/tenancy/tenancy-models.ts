// Mongoose models of the platform level: agencies and their tenants (not tenant-scoped themselves).
import { type Connection, type Model, Schema, type Types } from 'mongoose'
import type { BrandTheme, LegalDetails } from './tenant-schema.ts'

export interface AgencyDocument {
  _id: Types.ObjectId
  slug: string
  name: string
  createdAt: Date
  updatedAt: Date
}

export interface EnabledPluginDocument {
  name: string
  settings: Record<string, unknown>
  /** secret name → secret-box ciphertext. Never leaves the server. */
  secretsEncrypted: Record<string, string>
  enabledAt: Date
}

export interface TenantDocument {
  _id: Types.ObjectId
  slug: string
  name: string
  agencyId: string
  domains: string[]
  theme?: BrandTheme
  legal?: LegalDetails
  enabledPlugins: EnabledPluginDocument[]
  /** Bumped on every change; the tenant cache and ETags key on it. */
  revision: number
  createdAt: Date
  updatedAt: Date
}

const agencySchema = new Schema<AgencyDocument>(
  {
    slug: { type: String, required: true, unique: true },
    name: { type: String, required: true }
  },
  { timestamps: true, minimize: false }
)

const enabledPluginSchema = new Schema<EnabledPluginDocument>(
  {
    name: { type: String, required: true },
    settings: { type: Schema.Types.Mixed, default: {} },
    secretsEncrypted: { type: Schema.Types.Mixed, default: {} },
    enabledAt: { type: Date, required: true }
  },
  { _id: false, minimize: false }
)

const tenantSchema = new Schema<TenantDocument>(
  {
    slug: { type: String, required: true, unique: true },
    name: { type: String, required: true },
    agencyId: { type: String, required: true, index: true },
    // Uniqueness across tenants is enforced by the TenantDomain claims (an _id per hostname).
    domains: { type: [String], default: [] },
    theme: { type: Schema.Types.Mixed },
    legal: { type: Schema.Types.Mixed },
    enabledPlugins: { type: [enabledPluginSchema], default: [] },
    revision: { type: Number, default: 1 }
  },
  { timestamps: true, minimize: false }
)

/** One claim per custom hostname: `_id` is the hostname, so two tenants can never hold the same one. */
export interface TenantDomainDocument {
  _id: string
  tenantId: string
}

const tenantDomainSchema = new Schema<TenantDomainDocument>({
  _id: { type: String, required: true },
  tenantId: { type: String, required: true, index: true }
})

export interface TenancyModels {
  Agency: Model<AgencyDocument>
  Tenant: Model<TenantDocument>
  TenantDomain: Model<TenantDomainDocument>
}

export function tenancyModels(connection: Connection): TenancyModels {
  return {
    Agency:
      (connection.models.Agency as Model<AgencyDocument>) ??
      connection.model('Agency', agencySchema, 'agencies'),
    Tenant:
      (connection.models.Tenant as Model<TenantDocument>) ??
      connection.model('Tenant', tenantSchema, 'tenants'),
    TenantDomain:
      (connection.models.TenantDomain as Model<TenantDomainDocument>) ??
      connection.model('TenantDomain', tenantDomainSchema, 'tenant_domains')
  }
}
