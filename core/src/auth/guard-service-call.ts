// The around hook every registered service runs first: authenticates the JWT, checks the tenant and the
// access policy, then runs the call inside the RequestScope the data layer enforces tenancy from.
import { BadRequest, NotAuthenticated } from '@feathersjs/errors'
import type { Application, AuthenticatedUser, HookContext, NextFunction } from '../app/declarations.ts'
import { mintRequestId } from '../app/request-id.ts'
import { type Actor, currentScope, type RequestScope, runInScope } from '../context/request-scope.ts'
import { MongooseService, type MongooseServiceParams } from '../data/mongoose-service.ts'
import { ErrorCode, forbidden, notAuthenticated, validationError } from '../errors/codes.ts'
import type { AccessRules } from '../plugins/plugin-manifest.ts'
import { canAccessTenant, canUseAgencyView, evaluateRule } from './policy.ts'
import type { PublicUser } from './user-model.ts'

export interface GuardOptions {
  path: string
  access: AccessRules
  tenantScoped: boolean
}

/** Header asking for an agency-wide read view (`X-Tenant-Scope: agency`), honoured for agency admins only. */
export const TENANT_SCOPE_HEADER = 'x-tenant-scope'
const READ_METHODS = new Set(['find', 'get'])

export function tenantRequired(): BadRequest {
  return new BadRequest('This call needs a tenant (Host or X-Tenant header)', {
    code: ErrorCode.TENANT_REQUIRED
  })
}

function actorOf(user: AuthenticatedUser | undefined): Actor {
  // Built directly, not by spreading a temporary object: this runs on every external call.
  if (!user) return { kind: 'anonymous' }
  return user.agencyId
    ? { kind: 'user', userId: user._id, role: user.role, agencyId: user.agencyId }
    : { kind: 'user', userId: user._id, role: user.role }
}

/** Verifies the call's access token with the JWT strategy (signature, expiry, algorithm, token version). */
export async function authenticateParams(app: Application, params: any): Promise<PublicUser | undefined> {
  const authentication = params.authentication
  if (!authentication) return undefined
  const service = (app as any).defaultAuthentication?.()
  if (!service) throw notAuthenticated('Authentication is not configured')
  // A token this process verified, of a cached user with the same token version: known without the full
  // strategy chain (copies of params, promises); anything else takes the full path below.
  const known: PublicUser | undefined = service.knownTokenUser?.(authentication)
  if (known) return known
  try {
    const { provider: _provider, ...rest } = params
    const result = await service.authenticate(authentication, { ...rest, user: undefined }, 'jwt')
    return result.user as PublicUser
  } catch (error) {
    if (error instanceof NotAuthenticated) throw notAuthenticated(error.message)
    throw error
  }
}

function applyOwnership(context: HookContext, field: string, userId: string): void {
  const params = context.params as MongooseServiceParams
  // The adapter takes a trusted filter no client can widen, with no need for the owner field in the
  // service's query schema; custom services still read the condition from the query.
  if (context.service instanceof MongooseService)
    params.scopeFilter = { ...params.scopeFilter, [field]: userId }
  else params.query = { ...(params.query ?? {}), [field]: userId }
  const stamp = (item: any) => (item && typeof item === 'object' ? { ...item, [field]: userId } : item)
  if (context.method === 'create') {
    context.data = Array.isArray(context.data) ? context.data.map(stamp) : stamp(context.data)
  } else if (context.method === 'update') {
    context.data = stamp(context.data)
  } else if (context.method === 'patch' && context.data && typeof context.data === 'object') {
    // Ownership cannot be handed to someone else through a patch.
    const { [field]: _dropped, ...rest } = context.data as Record<string, unknown>
    context.data = rest
  }
}

function refuseClientTenantId(context: HookContext): void {
  const { data } = context
  // The usual case, one object without the field: nothing to collect.
  if (!Array.isArray(data) && (data === null || typeof data !== 'object' || !('tenantId' in data))) return
  const items = Array.isArray(context.data) ? context.data : [context.data]
  const errors = items.flatMap((item, index) =>
    item && typeof item === 'object' && 'tenantId' in item
      ? [
          {
            path: Array.isArray(context.data) ? `${index}.tenantId` : 'tenantId',
            message: 'is set by the platform'
          }
        ]
      : []
  )
  if (errors.length > 0) throw validationError('tenantId cannot be set by clients', errors)
}

// Every guarded path of this process with its options: lets tests and tooling enumerate, e.g., every
// tenant-scoped service to prove isolation for each one.
const guarded = new Map<string, GuardOptions>()

/** Guard options of the services of `app` (by path). */
export function guardedServices(app: Application): GuardOptions[] {
  const mounted = new Set(Object.keys((app as any).services ?? {}))
  return [...guarded.values()].filter((options) => mounted.has(options.path))
}

export function guardServiceCall(options: GuardOptions) {
  const { access, tenantScoped } = options
  guarded.set(options.path, options)
  return async (context: HookContext, next: NextFunction) => {
    const params = context.params as any
    const app = context.app as Application
    const parent = currentScope()
    const requestId: string = params.requestId ?? parent?.requestId ?? mintRequestId()
    params.requestId = requestId

    if (params.provider === undefined) {
      // Internal call: the caller is core or a plugin acting on its own authority; keep its scope.
      const tenantId: string | undefined = params.tenant?.id ?? parent?.tenantId
      if (tenantScoped && !tenantId && !parent?.readTenantIds && !parent?.unscoped) throw tenantRequired()
      if (parent && (!params.tenant || params.tenant.id === parent.tenantId)) return next()
      const scope: RequestScope = {
        requestId,
        ...(tenantId && { tenantId }),
        actor: parent?.actor ?? (params.user ? actorOf(params.user) : { kind: 'system', name: 'internal' })
      }
      return runInScope(scope, next)
    }

    const rule = access[context.method]
    let user: AuthenticatedUser | undefined = await authenticateParams(app, params)
    const tenant = params.tenant
    if (tenant && user && !canAccessTenant(user, tenant)) {
      // Public endpoints of a tenant stay usable, but never with another tenant's identity.
      if (rule === 'public') user = undefined
      else {
        // Worth an operator's eye: a token used against a tenant it does not belong to.
        const refusal = {
          requestId,
          userId: user._id,
          tenantId: tenant.id,
          path: context.path,
          method: context.method
        }
        app.get('logger')?.warn(refusal, 'tenant access refused')
        throw forbidden('You have no access to this tenant')
      }
    }
    const decision = evaluateRule(rule, user)
    params.user = user

    let readTenantIds: readonly string[] | undefined
    const scopeHeader = params.headers?.[TENANT_SCOPE_HEADER]
    const wantsAgencyView = scopeHeader != null && String(scopeHeader).toLowerCase() === 'agency'
    if (tenantScoped && wantsAgencyView) {
      if (!canUseAgencyView(user)) throw forbidden('Agency-wide views are for agency admins')
      if (!READ_METHODS.has(context.method)) throw forbidden('Agency-wide views are read-only')
      readTenantIds = await app.get('access').tenants.agencyTenantIds(user!.agencyId!)
    }
    if (tenantScoped && !tenant && !readTenantIds) throw tenantRequired()
    if (tenantScoped && context.data !== undefined) refuseClientTenantId(context)
    if (decision.ownField && user) applyOwnership(context, decision.ownField, user._id)

    const actor = actorOf(user)
    const scope: RequestScope = readTenantIds
      ? { requestId, readTenantIds, actor }
      : tenant
        ? { requestId, tenantId: tenant.id, actor }
        : { requestId, actor }
    return runInScope(scope, next)
  }
}
