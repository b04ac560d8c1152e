// Small shared helpers of the plugin's services: the caller's tenant, list queries (closed keys, paging, status
// filter) and staff roles.
import type { MasterstageParams } from '@masterstage/core'
import { currentScope, type FieldError, tenantRequired, validationError } from '@masterstage/core'
import { PaymentsErrorCode } from '../domain/payments-errors.ts'

/** Tenant staff who manage money: hosts and agency admins (platform admins through their agency view). */
export const MONEY_ROLES = ['host', 'agency_admin', 'platform_admin'] as const
/** Staff who see invoices and payments (sales reps follow up on unpaid invoices). */
export const STAFF_ROLES = ['host', 'agency_admin', 'platform_admin', 'sales_rep'] as const

/**
 * The one tenant the call acts for. An agency-wide read (`X-Tenant-Scope: agency`) has none: the calls
 * that need one answer 400 with a code instead of failing as an internal error.
 */
export function scopeTenantId(): string {
  const scope = currentScope()
  if (scope?.tenantId) return scope.tenantId
  if (scope?.readTenantIds) {
    const error = tenantRequired()
    error.message = 'This call works on one tenant at a time, not on the agency-wide view'
    Object.assign(error.data, { reason: PaymentsErrorCode.AGENCY_VIEW_NOT_SUPPORTED })
    throw error
  }
  throw new Error('payments services run in a tenant scope')
}

function paging(params: MasterstageParams): { limit: number; skip: number } {
  const query = params.query ?? {}
  const errors: FieldError[] = []
  const limit = query.$limit === undefined ? 25 : Number(query.$limit)
  const skip = query.$skip === undefined ? 0 : Number(query.$skip)
  if (!Number.isInteger(limit) || limit < 1 || limit > 100)
    errors.push({ path: '$limit', message: 'must be an integer from 1 to 100' })
  if (!Number.isInteger(skip) || skip < 0)
    errors.push({ path: '$skip', message: 'must be a non-negative integer' })
  if (errors.length) throw validationError('Invalid paging', errors)
  return { limit, skip }
}

/** The query keys of a paged list (`paging`). */
const PAGING_KEYS = ['$limit', '$skip'] as const

/**
 * Refuses query keys other than the listed ones (closed query schema), naming each offender; a list that
 * pages lists PAGING_KEYS too, so a call that does not page refuses `$limit` instead of ignoring it.
 */
export function assertQueryKeys(params: MasterstageParams, allowed: readonly string[]): Record<string, any> {
  const query = params.query ?? {}
  const errors: FieldError[] = Object.keys(query)
    .filter((key) => !allowed.includes(key))
    .map((key) => ({ path: key, message: 'is not a supported filter' }))
  for (const [key, value] of Object.entries(query)) {
    if (value !== null && typeof value === 'object')
      errors.push({ path: key, message: 'must be a plain value' })
  }
  if (errors.length) throw validationError('Invalid query', errors)
  return query
}

/**
 * The query of a staff list: only `stateKey` and `filters` as keys (plain values), paging, and a `stateKey`
 * value that must be one of `states`; the filter starts with that state.
 */
export function listQuery(
  params: MasterstageParams,
  filters: readonly string[],
  states: readonly string[],
  stateKey = 'status'
): { query: Record<string, any>; limit: number; skip: number; filter: Record<string, unknown> } {
  const query = assertQueryKeys(params, [stateKey, ...filters, ...PAGING_KEYS])
  const { limit, skip } = paging(params)
  const filter: Record<string, unknown> = {}
  const state = query[stateKey]
  if (state !== undefined) {
    if (!states.includes(state))
      throw validationError('Invalid query', [
        { path: stateKey, message: `must be one of ${states.join(', ')}` }
      ])
    filter[stateKey] = state
  }
  return { query, limit, skip, filter }
}
