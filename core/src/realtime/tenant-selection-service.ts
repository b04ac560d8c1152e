// Lets a dashboard socket switch the tenant it works on. Only through this authorized call: the new tenant
// must pass the access policy, then the connection re-joins that tenant's channels.

import { BadRequest } from '@feathersjs/errors'
import type { RealTimeConnection } from '@feathersjs/feathers'
import type { Application, MasterstageParams, ResolvedTenant } from '../app/declarations.ts'
import { canAccessTenant } from '../auth/policy.ts'
import { ErrorCode, forbidden, validationError } from '../errors/codes.ts'
import { resolveTenant } from '../tenancy/resolve-tenant.ts'
import { joinUserChannels } from './connection-channels.ts'

export const TENANT_SELECTION_PATH = 'tenant-selection'

export class TenantSelectionService {
  app: Application
  constructor(app: Application) {
    this.app = app
  }

  async create(data: unknown, params: MasterstageParams & { connection?: RealTimeConnection }) {
    const reference = (data as { tenant?: unknown } | null)?.tenant
    if (typeof reference !== 'string' || reference.trim() === '') {
      throw validationError('Invalid tenant selection', [
        { path: 'tenant', message: 'must be a tenant slug or id' }
      ])
    }
    const connection = params.connection as (RealTimeConnection & { tenant?: ResolvedTenant }) | undefined
    if (!connection) {
      throw new BadRequest('Tenant selection is for realtime connections; HTTP clients send X-Tenant', {
        code: ErrorCode.VALIDATION_FAILED
      })
    }
    const tenant = await resolveTenant(this.app, { explicit: reference })
    if (!tenant || !params.user || !canAccessTenant(params.user, tenant))
      throw forbidden('You have no access to this tenant')
    connection.tenant = tenant
    await joinUserChannels(this.app, connection)
    return { tenant }
  }
}
