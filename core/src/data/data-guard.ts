// Body guard for client-supplied create/patch/update data: no update operators, no dotted paths,
// no tenantId (the server stamps it), no server-assigned ids, no secret fields. Refuses with a
// field-level 400 before anything is written.

import type { HookContext, NextFunction } from '../app/declarations.ts'
import type { FieldError } from '../errors/codes.ts'
import { validationError } from '../errors/codes.ts'
import { TENANT_FIELD } from './tenant-scope-access.ts'

export interface DataGuardOptions {
  /** Secret paths clients may never write directly (e.g. passwordHash; clients send `password`). */
  secretPaths?: readonly string[]
  /** Allow `_id` in create data (default false: ids are server-assigned). */
  allowClientIds?: boolean
}

const MAX_DEPTH = 20

function collectKeyProblems(value: unknown, path: string, errors: FieldError[], depth: number): void {
  if (value == null || typeof value !== 'object' || value instanceof Date) return
  if (depth > MAX_DEPTH) {
    errors.push({ path, message: 'is nested too deeply' })
    return
  }
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      collectKeyProblems(item, path ? `${path}.${index}` : String(index), errors, depth + 1)
    })
    return
  }
  for (const [key, inner] of Object.entries(value)) {
    const innerPath = path ? `${path}.${key}` : key
    if (key.startsWith('$')) errors.push({ path: innerPath, message: 'keys starting with $ are not allowed' })
    else if (key.includes('.')) errors.push({ path: innerPath, message: 'keys containing . are not allowed' })
    else collectKeyProblems(inner, innerPath, errors, depth + 1)
  }
}

/** Every problem of one item of data (a create array is checked item by item with an index prefix). */
export function checkClientData(
  data: unknown,
  method: 'create' | 'update' | 'patch',
  options: DataGuardOptions = {},
  id?: unknown
): FieldError[] {
  const errors: FieldError[] = []
  if (Array.isArray(data) && method === 'create') {
    data.forEach((item, index) => {
      for (const error of checkClientData(item, method, options)) {
        errors.push({ path: `${index}.${error.path}`, message: error.message })
      }
    })
    return errors
  }
  if (data == null || typeof data !== 'object' || Array.isArray(data)) {
    return [{ path: 'data', message: 'must be an object' }]
  }
  collectKeyProblems(data, '', errors, 0)
  const record = data as Record<string, unknown>
  if (Object.hasOwn(record, TENANT_FIELD)) {
    errors.push({ path: TENANT_FIELD, message: 'is set by the server from the tenant you address' })
  }
  if (Object.hasOwn(record, '_id')) {
    const sameId = id != null && String(record._id) === String(id)
    if (!(method === 'create' ? options.allowClientIds : sameId)) {
      errors.push({ path: '_id', message: 'is assigned by the server and cannot be changed' })
    }
  }
  for (const secret of options.secretPaths ?? []) {
    if (hasPath(record, secret.split('.'))) {
      errors.push({ path: secret, message: 'cannot be written directly' })
    }
  }
  return errors
}

function hasPath(target: unknown, segments: readonly string[]): boolean {
  if (segments.length === 0) return true
  if (Array.isArray(target)) return target.some((item) => hasPath(item, segments))
  if (target == null || typeof target !== 'object') return false
  const [head, ...rest] = segments
  return Object.hasOwn(target, head) && hasPath((target as Record<string, unknown>)[head], rest)
}

export function assertClientData(
  data: unknown,
  method: 'create' | 'update' | 'patch',
  options: DataGuardOptions = {},
  id?: unknown
): void {
  const errors = checkClientData(data, method, options, id)
  if (errors.length > 0) {
    throw validationError(`Invalid data: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`, errors)
  }
}

/** Hook: put it first on create/update/patch so it sees exactly what the client sent. */
export function rejectUpdateOperators(options: DataGuardOptions = {}) {
  return async (context: HookContext, next?: NextFunction) => {
    const method = context.method as 'create' | 'update' | 'patch'
    if (context.params.provider && ['create', 'update', 'patch'].includes(method)) {
      assertClientData(context.data, method, options, context.id)
    }
    if (next) await next()
  }
}
