// The client's application type: Feathers typed by the merged ServiceTypes (core's and every plugin
// contract the importing app brings into scope), with each method's trailing `params` made optional
// as it is for a client (the server fills params in).
import type { Application } from '@feathersjs/feathers'
import type { ServiceTypes } from '../app/declarations.ts'

type OptionalLast<A extends unknown[]> = A extends [...infer Head, infer Last] ? [...Head, Last?] : A

export type ClientService<S> = {
  [M in keyof S]: S[M] extends (...args: infer A) => infer R ? (...args: OptionalLast<A>) => R : S[M]
}

export type ClientServiceTypes = { [P in keyof ServiceTypes]: ClientService<ServiceTypes[P]> }

export type MasterstageClient = Application<ClientServiceTypes>

/** `{ total, limit, skip, data }` as paginated finds answer. */
export interface Page<T> {
  total: number
  limit: number
  skip: number
  data: T[]
}
