// Secret fields (password hashes, OAuth tokens, API keys): declared with `secret: true` on a schema path,
// never selected by default and stripped from toJSON/toObject and from lean results at any depth.
//   new Schema({ passwordHash: { type: String, secret: true } })
// Server code that needs one selects it explicitly: Model.findOne(...).select('+passwordHash').
import type { Schema } from 'mongoose'

const SECRET_PATHS = Symbol.for('masterstage.secretPaths')

/** Dotted paths of every secret field of `schema`, including inside nested objects and subdocument arrays. */
export function secretPathsOf(schema: Schema): readonly string[] {
  const cached = (schema as any)[SECRET_PATHS] as string[] | undefined
  if (cached) return cached
  const paths: string[] = []
  schema.eachPath((path, type: any) => {
    if (type.options?.secret === true) paths.push(path)
    const child: Schema | undefined = type.schema
    if (child) for (const inner of secretPathsOf(child)) paths.push(`${path}.${inner}`)
  })
  ;(schema as any)[SECRET_PATHS] = paths
  return paths
}

export function isSecretPath(schema: Schema, path: string): boolean {
  return secretPathsOf(schema).some(
    (secret) => secret === path || secret.startsWith(`${path}.`) || path.startsWith(`${secret}.`)
  )
}

/** Deletes secret paths from a plain object (lean result, toJSON output) in place; arrays are walked. */
export function stripSecretFields<T>(schema: Schema, value: T): T {
  for (const path of secretPathsOf(schema)) removePath(value, path.split('.'))
  return value
}

function removePath(target: unknown, segments: string[]): void {
  if (target == null || typeof target !== 'object') return
  if (Array.isArray(target)) {
    for (const item of target) removePath(item, segments)
    return
  }
  const [head, ...rest] = segments
  if (rest.length === 0) {
    delete (target as Record<string, unknown>)[head]
    return
  }
  removePath((target as Record<string, unknown>)[head], rest)
}

/** Schema plugin: select: false on secret paths and a transform removing them from toJSON/toObject. */
export function secretFieldsPlugin(schema: Schema): void {
  delete (schema as any)[SECRET_PATHS]
  const own: string[] = []
  schema.eachPath((path, type: any) => {
    if (type.options?.secret === true) {
      type.select(false)
      own.push(path)
    }
  })
  if (own.length === 0 && secretPathsOf(schema).length === 0) return
  for (const option of ['toJSON', 'toObject'] as const) {
    const existing = (schema.get(option) ?? {}) as Record<string, any>
    const previous = existing.transform
    const settings = {
      ...existing,
      transform(doc: unknown, ret: Record<string, unknown>, options: unknown) {
        const result = typeof previous === 'function' ? (previous(doc, ret, options) ?? ret) : ret
        return stripSecretFields(schema, result)
      }
    }
    if (previous === undefined && Object.keys(existing).length === 0) ONLY_STRIPS_SECRETS.add(settings)
    schema.set(option, settings)
  }
}

/** toJSON/toObject settings that do nothing but strip secret fields (no user transform or options). */
const ONLY_STRIPS_SECRETS = new WeakSet<object>()

/** True when `toObject()` of this schema's documents is the plain data minus the secret fields. */
export function toObjectOnlyStripsSecrets(schema: Schema): boolean {
  const settings = schema.get('toObject') as object | undefined
  return settings === undefined || ONLY_STRIPS_SECRETS.has(settings)
}
