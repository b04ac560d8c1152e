// Request correlation: accepts a well-formed X-Request-Id from the caller (proxy, load balancer) or
// mints one, echoes it on the response and hands it to Feathers params and the request scope.
import { randomUUID } from 'node:crypto'

export const REQUEST_ID_HEADER = 'x-request-id'
const ACCEPTED = /^[A-Za-z0-9._:-]{8,128}$/

// Minted ids are UUID-shaped: the first 24 characters of a random UUID drawn once per process, then a
// 12-hex-digit counter. Unique per process by the counter and across processes by the random part, at the
// cost of a string concatenation instead of random bytes and their formatting on every request.
const COUNTER_DIGITS = 12
const COUNTER_LIMIT = 16 ** COUNTER_DIGITS
let prefix = ''
let counter = COUNTER_LIMIT

/** A new id, unique in this process (`xxxxxxxx-xxxx-4xxx-yxxx-` + counter). */
export function mintRequestId(): string {
  if (counter >= COUNTER_LIMIT) {
    prefix = randomUUID().slice(0, 36 - COUNTER_DIGITS)
    counter = 0
  }
  return prefix + (counter++).toString(16).padStart(COUNTER_DIGITS, '0')
}

/** The caller's X-Request-Id when well-formed, otherwise a new one. */
export function requestIdFor(incoming: string | string[] | undefined): string {
  return typeof incoming === 'string' && ACCEPTED.test(incoming) ? incoming : mintRequestId()
}
