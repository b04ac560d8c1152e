// Builds the document an upsert inserts: the filter's equality fields, then the update applied on top.
import type { Document } from 'bson'
import { ObjectId } from 'bson'
import { applyUpdate, isReplacement } from './update-doc.ts'

function equalitySeed(filter: Document, seed: Document): void {
  for (const [field, value] of Object.entries(filter)) {
    if (field === '$and' && Array.isArray(value)) {
      for (const sub of value) equalitySeed(sub, seed)
      continue
    }
    if (field.startsWith('$')) continue
    let v: unknown = value
    if (v && typeof v === 'object' && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype) {
      const keys = Object.keys(v as Document)
      if (keys.length > 0 && keys[0].startsWith('$')) {
        if (keys.length === 1 && keys[0] === '$eq') v = (v as Document).$eq
        else continue
      }
    }
    if (v instanceof RegExp) continue
    setPath(seed, field, v)
  }
}

function setPath(doc: Document, path: string, value: unknown): void {
  const parts = path.split('.')
  let target = doc
  for (let i = 0; i < parts.length - 1; i++) {
    if (!target[parts[i]] || typeof target[parts[i]] !== 'object') target[parts[i]] = {}
    target = target[parts[i]] as Document
  }
  target[parts[parts.length - 1]] = value
}

export function buildUpsert(
  filter: Document,
  update: Document | Document[],
  arrayFilters: Document[] | undefined,
  variables?: Document
): Document {
  const seed: Document = {}
  equalitySeed(filter, seed)
  if (!Array.isArray(update) && isReplacement(update)) {
    const id = update._id ?? seed._id ?? new ObjectId()
    const { _id, ...rest } = update
    return { _id: id, ...rest }
  }
  const base: Document = { _id: seed._id ?? new ObjectId(), ...seed }
  // The update may not touch the seeded _id, so it is applied to a doc whose _id already exists.
  return applyUpdate(base, update, { arrayFilters, filter: {}, inserting: true, variables }) ?? base
}
