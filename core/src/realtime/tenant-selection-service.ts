// Lets a dashboard socket switch the tenant it works on. Only through this authorized call: the new tenant
// must pass the access policy, then the connection re-joins that tenant's channels. `scope: 'agency'` (agency
// admins only) keeps the selected tenant for calls but listens to every tenant of the admin's agency.

import { BadRequest } from '@feathersjs/errors'
import type { RealTimeConnection } from '@feathersjs/feathers'
import type { Application, MasterstageParams } from '../app/declarations.ts'
import { canAccessTenant, canUseAgencyView } from '../auth/policy.ts'
import { ErrorCode, forbidden, validationError } from '../errors/codes.ts'
import { resolveTenant } from '../tenancy/resolve-tenant.ts'
import { type ChannelConnection, type ConnectionScope, joinUserChannels } from './connection-channels.ts'

const SCOPES: readonly ConnectionScope[] = ['tenant', 'agency']

export const TENANT_SELECTION_PATH = 'tenant-selection'

export class TenantSelectionService {
  app: Application
  constructor(app: Application) {
    this.app = app
  }

  async create(data: unknown, params: MasterstageParams & { connection?: RealTimeConnection }) {
    const input = (data ?? {}) as { tenant?: unknown; scope?: unknown }
    const reference = input.tenant
    const scope = input.scope ?? 'tenant'
    const errors = []
    if (typeof reference !== 'string' || reference.trim() === '')
      errors.push({ path: 'tenant', message: 'must be a tenant slug or id' })
    if (!SCOPES.includes(scope as ConnectionScope))
      errors.push({ path: 'scope', message: `must be one of ${SCOPES.join(', ')}` })
    if (errors.length > 0) throw validationError('Invalid tenant selection', errors)
    const connection = params.connection as (RealTimeConnection & ChannelConnection) | undefined
    if (!connection) {
      throw new BadRequest('Tenant selection is for realtime connections; HTTP clients send X-Tenant', {
        code: ErrorCode.VALIDATION_FAILED
      })
    }
    const tenant = await resolveTenant(this.app, { explicit: reference as string })
    if (!tenant || !params.user || !canAccessTenant(params.user, tenant))
      throw forbidden('You have no access to this tenant')
    if (scope === 'agency' && !canUseAgencyView(params.user))
      throw forbidden('Agency-wide views are for agency admins')
    connection.tenant = tenant
    connection.scope = scope as ConnectionScope
    await joinUserChannels(this.app, connection)
    return { tenant, scope }
  }
}
