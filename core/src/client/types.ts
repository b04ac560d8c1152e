// The client's application type: Feathers typed by the merged ServiceTypes (core's and every plugin
// contract the importing app brings into scope).
import type { Application } from '@feathersjs/feathers'
import type { ServiceTypes } from '../app/declarations.ts'

export type MasterstageClient = Application<ServiceTypes>

/** `{ total, limit, skip, data }` as paginated finds answer. */
export interface Page<T> {
  total: number
  limit: number
  skip: number
  data: T[]
}
