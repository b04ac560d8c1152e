// Applies one update specification (operators, replacement or pipeline) to a copy of a document.
import { BSON, type Document, ObjectId } from 'bson'
import { update as mingoUpdate } from 'mingo'
import { commandError, ErrorCodes, fromEngineError } from '../errors.ts'
import { cloneDocument } from '../storage/bson-clone.ts'
import { encodeKey } from '../storage/key-encoding.ts'
import { checkArithmeticTargets, checkArrayTargets, tryFastUpdate } from './fast-update.ts'
import { runPipeline } from './query.ts'

const OPERATORS = new Set([
  '$set',
  '$unset',
  '$inc',
  '$mul',
  '$rename',
  '$min',
  '$max',
  '$currentDate',
  '$addToSet',
  '$push',
  '$pull',
  '$pullAll',
  '$pop',
  '$bit',
  '$setOnInsert'
])
const PIPELINE_STAGES = new Set(['$addFields', '$set', '$project', '$unset', '$replaceRoot', '$replaceWith'])

export interface UpdateOptions {
  arrayFilters?: Document[]
  filter: Document
  inserting: boolean
  variables?: Document
}

export function isReplacement(update: Document | Document[]): boolean {
  if (Array.isArray(update)) return false
  const keys = Object.keys(update)
  return keys.length === 0 || !keys[0].startsWith('$')
}

export function validateUpdate(update: unknown): Document | Document[] {
  if (Array.isArray(update)) {
    for (const stage of update) {
      const name = stage && typeof stage === 'object' ? Object.keys(stage)[0] : undefined
      if (!name || !PIPELINE_STAGES.has(name) || Object.keys(stage).length !== 1) {
        throw commandError(
          ErrorCodes.InvalidOptions,
          `${name ?? 'stage'} is not allowed to be used within an update`
        )
      }
    }
    return update
  }
  if (!update || typeof update !== 'object') {
    throw commandError(ErrorCodes.FailedToParse, 'Update argument must be either an object or an array')
  }
  const keys = Object.keys(update)
  const dollar = keys.filter((k) => k.startsWith('$'))
  if (dollar.length === 0) {
    for (const k of keys) {
      if (k.startsWith('$'))
        throw commandError(ErrorCodes.BadValue, `The dollar ($) prefixed field '${k}' is not allowed`)
    }
    return update as Document
  }
  for (const key of keys) {
    if (!OPERATORS.has(key)) {
      throw commandError(
        ErrorCodes.FailedToParse,
        `Unknown modifier: ${key}. Expected a valid update modifier or pipeline-style update specified as an array`
      )
    }
    const args = (update as Document)[key]
    if (!args || typeof args !== 'object' || Array.isArray(args)) {
      throw commandError(
        ErrorCodes.FailedToParse,
        `Modifiers operate on fields but we found type ${typeof args} instead.`
      )
    }
  }
  return update as Document
}

// Returns the new document, or null when the update changed nothing.
export function applyUpdate(
  doc: Document,
  update: Document | Document[],
  options: UpdateOptions
): Document | null {
  let next: Document
  if (Array.isArray(update)) {
    const [result] = runPipeline(
      [cloneDocument(doc)],
      update,
      options.variables ? { variables: options.variables } : {}
    )
    next = withIdFirst(result ?? {}, doc._id)
  } else if (isReplacement(update)) {
    if ('_id' in update && encodeKey(update._id) !== encodeKey(doc._id)) throw immutableId()
    const { _id, ...rest } = update
    next = { _id: doc._id, ...cloneDocument(rest) }
  } else {
    const { $setOnInsert, ...ops } = update
    if ($setOnInsert && options.inserting) ops.$set = { ...(ops.$set ?? {}), ...$setOnInsert }
    checkArithmeticTargets(doc, ops)
    checkArrayTargets(doc, ops)
    const fast = options.arrayFilters ? undefined : tryFastUpdate(doc, ops)
    if (fast) return fast[1] ? fast[0] : null
    next = cloneDocument(doc)
    if (Object.keys(ops).length > 0) {
      try {
        mingoUpdate(next, ops, options.arrayFilters, options.filter, { cloneMode: 'deep' })
      } catch (err) {
        throw fromEngineError(err)
      }
    }
  }
  if (doc._id !== undefined && encodeKey(next._id) !== encodeKey(doc._id)) throw immutableId()
  if (next._id === undefined) next = { _id: new ObjectId(), ...next }
  if (Object.keys(next)[0] !== '_id') next = withIdFirst(next, next._id)
  return sameDocument(doc, next) ? null : next
}

function withIdFirst(doc: Document, id: unknown): Document {
  const { _id, ...rest } = doc
  return { _id: id ?? _id, ...rest }
}

function immutableId(): Error {
  return commandError(
    ErrorCodes.ImmutableField,
    "Performing an update on the path '_id' would modify the immutable field '_id'"
  )
}

export function sameDocument(a: Document, b: Document): boolean {
  return Buffer.from(BSON.serialize(a)).equals(BSON.serialize(b))
}
