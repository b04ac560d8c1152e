// The tenant isolation mechanism: a mongoose schema plugin that filters every read and stamps every
// write of a tenant-scoped model with the ambient RequestScope's tenant, so no plugin can forget it.
//
// `tenantId` is a String (the tenant's id as the RequestScope carries it), required, immutable and the
// leading key of every index. Covered paths: every query operation (incl. findOneAndX, distinct,
// countDocuments, cursors, populate), save/create/insertOne/bulkSave, insertMany, bulkWrite, aggregate
// (incl. $lookup/$unionWith/$graphLookup into other tenant-scoped collections).
// NOT covered, and therefore forbidden for plugins: raw driver access (`Model.collection`,
// `connection.db`, `connection.getClient()`) and `Model.watch()`, which bypass mongoose middleware.

import type { Aggregate, Connection, Query, Schema } from 'mongoose'
import mongoose from 'mongoose'
import { scopeAggregatePipeline } from './tenant-aggregate.ts'
import { guardUpdateOfTenant, readFilter, scopeFilter, stampDocument } from './tenant-filters.ts'
import {
  TENANT_FIELD,
  type TenantAccess,
  TenantScopeViolation,
  tenantAccess,
  writeTenant
} from './tenant-scope-access.ts'

const READ_QUERIES = ['find', 'findOne', 'countDocuments', 'distinct'] as const
const WRITE_QUERIES = [
  'updateOne',
  'updateMany',
  'deleteOne',
  'deleteMany',
  'findOneAndUpdate',
  'findOneAndDelete',
  'findOneAndReplace',
  'replaceOne'
] as const
const REPLACING_QUERIES = new Set<string>(['replaceOne', 'findOneAndReplace'])

export function isTenantScopedSchema(schema: Schema): boolean {
  return schema.get('tenantScoped' as any) === true
}

export function tenantScopedPlugin(schema: Schema): void {
  if (isTenantScopedSchema(schema)) return
  schema.set('tenantScoped' as any, true)
  schema.add({ [TENANT_FIELD]: { type: String, required: true, immutable: true } })
  // Dropped again at model compile when a compound index leads with tenantId (model-compile-checks.ts).
  schema.index({ [TENANT_FIELD]: 1 })

  schema.pre(READ_QUERIES as any, { document: false, query: true }, scopeReadQuery)

  schema.pre(WRITE_QUERIES as any, { document: false, query: true }, function (this: Query<any, any>) {
    const what = describeQuery(this)
    const tenantId = writeTenant(what)
    if (!tenantId) return
    applyFilter(this, scopeFilter(tenantId))
    const update = this.getUpdate() as any
    if (update == null) return
    if (REPLACING_QUERIES.has((this as any).op)) stampDocument(update, tenantId, what)
    else guardUpdateOfTenant(update, tenantId, what)
  })

  schema.pre('estimatedDocumentCount', function (this: Query<any, any>) {
    const access = tenantAccess('read', `${this.model.modelName}.estimatedDocumentCount`)
    if (access.kind !== 'unscoped') {
      throw new TenantScopeViolation(
        'estimatedDocumentCount cannot be filtered by tenant; use countDocuments'
      )
    }
  })

  // Stamp before validation so `required` sees the tenant; save re-checks for validateBeforeSave: false.
  schema.pre('validate', function (this: any) {
    if (this.$isSubdocument || !this.isNew) return
    const tenantId = writeTenant(`${this.constructor.modelName}.save`)
    if (tenantId) stampDocumentInstance(this, tenantId, `${this.constructor.modelName}.save`)
  })

  schema.pre('save', scopeSave)

  schema.pre('insertMany', scopeInsertMany)

  schema.pre('bulkWrite', function (this: any, ops: unknown) {
    const what = `${this.modelName}.bulkWrite`
    const tenantId = writeTenant(what)
    if (!tenantId || !Array.isArray(ops)) return
    for (const op of ops) scopeBulkOperation(op, tenantId, what)
  })

  schema.pre('aggregate', function (this: Aggregate<any>) {
    const model = (this as any)._model
    const what = `${model?.modelName ?? 'model'}.aggregate`
    const access = tenantAccess('read', what)
    scopeAggregatePipeline(this.pipeline() as any[], access, model?.db as Connection, what)
  })
}

// Named so the adapter's fast paths can recognise the plugin's own hooks (adapter-fast-paths.ts).
function scopeReadQuery(this: Query<any, any>): void {
  const access = tenantAccess('read', describeQuery(this))
  applyFilter(this, readFilter(access))
}

function scopeInsertMany(this: any, docs: unknown): void {
  const what = `${this.modelName}.insertMany`
  const tenantId = writeTenant(what)
  if (!tenantId) return
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
    if (doc instanceof mongoose.Document) stampDocumentInstance(doc, tenantId, what)
    else stampDocument(doc, tenantId, what)
  }
}

function scopeSave(this: any): void {
  if (this.$isSubdocument) return
  if (this.isNew) {
    stampNewDocument(this)
    return
  }
  const what = `${this.constructor.modelName}.save`
  const tenantId = writeTenant(what)
  if (!tenantId) return
  if (this.get(TENANT_FIELD) !== tenantId || this.isModified(TENANT_FIELD)) {
    throw new TenantScopeViolation(`${what} refused: the document belongs to another tenant`)
  }
  // save() of an existing document updates by _id: pin the tenant into that filter too.
  this.$where = { ...(this.$where ?? {}), [TENANT_FIELD]: tenantId }
}

/** What save does to a new document: stamps the scope's tenant, refusing another tenant's document. */
export function stampNewDocument(doc: any): void {
  const what = `${doc.constructor.modelName}.save`
  const tenantId = writeTenant(what)
  if (tenantId) stampDocumentInstance(doc, tenantId, what)
}

/** The condition the read hook ANDs onto a query of `op` on this model, or undefined when unscoped. */
export function scopedReadFilter(modelName: string, op: string): Record<string, unknown> | undefined {
  return readFilter(tenantAccess('read', `${modelName}.${op}`))
}

/** The plugin's own query/save hooks: the adapter's fast paths do exactly what they do. */
export const TENANT_PLUGIN_HOOKS: ReadonlySet<Function> = new Set<Function>([
  scopeReadQuery,
  scopeSave,
  scopeInsertMany
])

/** What the plugin's insertMany hook does to plain documents (stamps the scope's tenant, refuses another). */
export function stampInsertedDocuments(modelName: string, docs: readonly object[]): void {
  scopeInsertMany.call({ modelName }, docs)
}

function describeQuery(query: Query<any, any>): string {
  return `${query.model.modelName}.${(query as any).op}`
}

function applyFilter(query: Query<any, any>, filter: Record<string, unknown> | undefined): void {
  if (!filter) return
  const conditions = query.getFilter()
  // An existing tenantId condition is kept and ANDed, never replaced: both must hold.
  if (Object.hasOwn(conditions, TENANT_FIELD)) query.setQuery({ $and: [conditions, filter] })
  else query.where(filter)
}

function stampDocumentInstance(doc: any, tenantId: string, what: string): void {
  const current = doc.get(TENANT_FIELD)
  if (current == null) doc.set(TENANT_FIELD, tenantId)
  else if (current !== tenantId)
    throw new TenantScopeViolation(`${what} refused: the document belongs to another tenant`)
}

function scopeBulkOperation(op: any, tenantId: string, what: string): void {
  const [kind] = Object.keys(op ?? {})
  const body = op?.[kind]
  switch (kind) {
    case 'insertOne':
      if (body.document instanceof mongoose.Document) stampDocumentInstance(body.document, tenantId, what)
      else stampDocument(body.document, tenantId, what)
      return
    case 'updateOne':
    case 'updateMany':
      body.filter = andFilter(body.filter, tenantId)
      guardUpdateOfTenant(body.update, tenantId, what)
      return
    case 'replaceOne':
      body.filter = andFilter(body.filter, tenantId)
      stampDocument(body.replacement, tenantId, what)
      return
    case 'deleteOne':
    case 'deleteMany':
      body.filter = andFilter(body.filter, tenantId)
      return
    default:
      throw new TenantScopeViolation(`${what} refused: unknown bulk operation '${kind}'`)
  }
}

function andFilter(filter: Record<string, unknown> | undefined, tenantId: string): Record<string, unknown> {
  if (!filter || Object.keys(filter).length === 0) return { [TENANT_FIELD]: tenantId }
  if (Object.hasOwn(filter, TENANT_FIELD)) return { $and: [filter, { [TENANT_FIELD]: tenantId }] }
  return { ...filter, [TENANT_FIELD]: tenantId }
}

export type { TenantAccess }
