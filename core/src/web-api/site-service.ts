// The public face of the addressed tenant for its storefront: name, brand theme, domains and the names of
// the plugins it enabled (which decide the UI contributions shown). Never settings or secrets.

import { NotFound } from '@feathersjs/errors'
import type { Application, MasterstageParams } from '../app/declarations.ts'
import { ErrorCode } from '../errors/codes.ts'
import type { TenantDocument } from '../tenancy/tenancy-models.ts'

export const SITE_PATH = 'site'

export function publicSite(tenant: TenantDocument) {
  return {
    id: String(tenant._id),
    slug: tenant.slug,
    name: tenant.name,
    domains: [...tenant.domains],
    theme: tenant.theme ?? null,
    enabledPlugins: tenant.enabledPlugins.map((plugin) => plugin.name),
    revision: tenant.revision
  }
}
export type PublicSite = ReturnType<typeof publicSite>

export class SiteService {
  app: Application
  constructor(app: Application) {
    this.app = app
  }

  /** The tenant the request addresses (Host or X-Tenant); no listing of other tenants exists. */
  async find(params: MasterstageParams): Promise<PublicSite> {
    const id = params.tenant?.id
    const tenant = id
      ? await this.app.get('access').tenancy.Tenant.findOne({ _id: id }).lean<TenantDocument>().exec()
      : null
    if (!tenant) throw new NotFound('Unknown tenant', { code: ErrorCode.TENANT_UNKNOWN })
    return publicSite(tenant)
  }
}
