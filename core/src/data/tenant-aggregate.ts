// Scopes an aggregation pipeline to the tenant: a leading $match, and the same condition inside every
// stage that reads another collection ($lookup, $unionWith, $graphLookup), which would otherwise leak.
import type { Connection } from 'mongoose'
import { TENANT_FIELD, type TenantAccess, TenantScopeViolation } from './tenant-scope-access.ts'

/** Stages that must come first or read outside the collection's documents: not filterable by tenant. */
const UNFILTERABLE_FIRST_STAGES = new Set([
  '$collStats',
  '$indexStats',
  '$search',
  '$searchMeta',
  '$vectorSearch',
  '$currentOp',
  '$listSessions',
  '$listLocalSessions',
  '$changeStream',
  '$documents',
  '$planCacheStats'
])
const WRITING_STAGES = new Set(['$out', '$merge'])

function matchCondition(access: TenantAccess): Record<string, unknown> | undefined {
  if (access.kind === 'unscoped') return undefined
  if (access.kind === 'tenant') return { [TENANT_FIELD]: access.tenantId }
  return { [TENANT_FIELD]: { $in: [...access.tenantIds] } }
}

/** Mutates `pipeline` in place (mongoose's Aggregate exposes its own array). */
export function scopeAggregatePipeline(
  pipeline: any[],
  access: TenantAccess,
  connection: Connection | undefined,
  what: string
): void {
  const condition = matchCondition(access)
  if (!condition) return
  scopeForeignReads(pipeline, condition, connection, what)
  const first = pipeline[0]
  const firstName = first ? Object.keys(first)[0] : undefined
  if (firstName && UNFILTERABLE_FIRST_STAGES.has(firstName)) {
    throw new TenantScopeViolation(`${what} refused: ${firstName} cannot be scoped to a tenant`)
  }
  if (firstName === '$geoNear') {
    const geoNear = first.$geoNear
    geoNear.query = geoNear.query ? { $and: [geoNear.query, condition] } : condition
    return
  }
  pipeline.unshift({ $match: condition })
}

function scopeForeignReads(
  pipeline: any[],
  condition: Record<string, unknown>,
  connection: Connection | undefined,
  what: string
): void {
  for (const stage of pipeline) {
    const [name] = Object.keys(stage ?? {})
    const body = stage[name]
    if (WRITING_STAGES.has(name)) {
      throw new TenantScopeViolation(`${what} refused: ${name} writes are not allowed under a tenant scope`)
    }
    if (name === '$lookup') {
      if (isTenantScopedCollection(connection, body.from, what)) {
        body.pipeline = [{ $match: condition }, ...(body.pipeline ?? [])]
      }
      if (body.pipeline) scopeForeignReads(body.pipeline, condition, connection, what)
    } else if (name === '$unionWith') {
      const union = typeof body === 'string' ? { coll: body } : body
      stage.$unionWith = union
      if (isTenantScopedCollection(connection, union.coll, what)) {
        union.pipeline = [{ $match: condition }, ...(union.pipeline ?? [])]
      }
      if (union.pipeline) scopeForeignReads(union.pipeline, condition, connection, what)
    } else if (name === '$graphLookup') {
      if (isTenantScopedCollection(connection, body.from, what)) {
        body.restrictSearchWithMatch = body.restrictSearchWithMatch
          ? { $and: [body.restrictSearchWithMatch, condition] }
          : condition
      }
    } else if (name === '$facet') {
      for (const sub of Object.values(body as Record<string, any[]>))
        scopeForeignReads(sub, condition, connection, what)
    }
  }
}

/** Unknown collections are refused: we cannot tell whether they hold other tenants' documents. */
function isTenantScopedCollection(
  connection: Connection | undefined,
  collection: unknown,
  what: string
): boolean {
  if (typeof collection !== 'string') {
    throw new TenantScopeViolation(`${what} refused: a lookup needs a collection name`)
  }
  const model = Object.values(connection?.models ?? {}).find(
    (m) => m.collection.collectionName === collection
  )
  if (!model) {
    throw new TenantScopeViolation(`${what} refused: '${collection}' is not a registered model's collection`)
  }
  return model.schema.get('tenantScoped' as any) === true
}
