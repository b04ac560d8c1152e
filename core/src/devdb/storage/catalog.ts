// All databases and collections in memory; applies mutation batches all-or-nothing (undo on failure).
import type { Document, UUID } from 'bson'
import { commandError, ErrorCodes } from '../errors.ts'
import { Collection } from './collection.ts'
import { encodeKey } from './key-encoding.ts'
import type { Mutation } from './mutations.ts'

type Undo = () => void

export class Catalog {
  readonly databases = new Map<string, Map<string, Collection>>()

  collection(db: string, name: string): Collection | undefined {
    return this.databases.get(db)?.get(name)
  }

  collections(db: string): Map<string, Collection> {
    return this.databases.get(db) ?? new Map()
  }

  // Applies every mutation or none: on the first failure the earlier ones are undone and the error rethrown.
  applyAll(mutations: Mutation[], lenient = false): void {
    const undo: Undo[] = []
    try {
      for (const m of mutations) undo.push(this.apply(m, lenient))
    } catch (err) {
      for (let i = undo.length - 1; i >= 0; i--) undo[i]()
      throw err
    }
  }

  private apply(m: Mutation, lenient: boolean): Undo {
    switch (m.op) {
      case 'createCollection': {
        const existing = this.collection(m.db, m.coll)
        if (existing) {
          if (lenient) return () => {}
          throw commandError(ErrorCodes.NamespaceExists, `Collection ${m.db}.${m.coll} already exists.`)
        }
        let db = this.databases.get(m.db)
        const createdDb = !db
        if (!db) {
          db = new Map()
          this.databases.set(m.db, db)
        }
        db.set(m.coll, new Collection(m.db, m.coll, m.options, m.uuid as UUID | undefined))
        return () => {
          db.delete(m.coll)
          if (createdDb) this.databases.delete(m.db)
        }
      }
      case 'dropCollection': {
        const db = this.databases.get(m.db)
        const coll = db?.get(m.coll)
        if (!db || !coll) return () => {}
        db.delete(m.coll)
        return () => db.set(m.coll, coll)
      }
      case 'dropDatabase': {
        const db = this.databases.get(m.db)
        if (!db) return () => {}
        this.databases.delete(m.db)
        return () => this.databases.set(m.db, db)
      }
      case 'createIndex': {
        const coll = this.require(m.db, m.coll)
        const previous = coll.indexes.get(m.spec.name)
        if (previous && lenient) return () => {}
        coll.addIndex(m.spec)
        return () => {
          coll.dropIndex(m.spec.name)
          if (previous) coll.indexes.set(m.spec.name, previous)
        }
      }
      case 'dropIndex': {
        const coll = this.require(m.db, m.coll)
        const dropped = coll.dropIndex(m.name)
        return () => {
          if (dropped) coll.indexes.set(m.name, dropped)
        }
      }
      case 'insert': {
        const coll = this.require(m.db, m.coll)
        if (lenient) coll.remove(encodeKey(m.doc._id))
        const docKey = coll.insert(m.doc)
        return () => coll.remove(docKey)
      }
      case 'replace': {
        const coll = this.require(m.db, m.coll)
        const docKey = encodeKey(m.doc._id)
        if (lenient && !coll.docs.has(docKey)) {
          coll.insert(m.doc)
          return () => coll.remove(docKey)
        }
        const old = coll.replace(docKey, m.doc)
        return () => coll.replace(docKey, old)
      }
      case 'delete': {
        const coll = this.require(m.db, m.coll)
        const old = coll.remove(encodeKey(m.id))
        return () => {
          if (old) coll.insert(old)
        }
      }
    }
  }

  private require(db: string, name: string): Collection {
    const coll = this.collection(db, name)
    if (!coll) throw commandError(ErrorCodes.NamespaceNotFound, `ns does not exist: ${db}.${name}`)
    return coll
  }

  toJSON(): Document {
    return { databases: [...this.databases.keys()] }
  }
}
