// Request correlation: accepts a well-formed X-Request-Id from the caller (proxy, load balancer) or
// mints one, echoes it on the response and hands it to Feathers params and the request scope.
import { randomUUID } from 'node:crypto'

export const REQUEST_ID_HEADER = 'x-request-id'
const ACCEPTED = /^[A-Za-z0-9._:-]{8,128}$/

/** The caller's X-Request-Id when well-formed, otherwise a new one. */
export function requestIdFor(incoming: string | string[] | undefined): string {
  return typeof incoming === 'string' && ACCEPTED.test(incoming) ? incoming : randomUUID()
}
