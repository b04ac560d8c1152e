// What the load generator is asked to do and what it reports back.
export interface LoadSpec {
  url: string
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE'
  /** JSON text sent as the body (content-type application/json). */
  body?: string
  headers?: Record<string, string>
  /** Responses with another status count as errors. */
  expectStatus: number
  connections: number
  durationMs: number
}

export interface LoadResult {
  requests: number
  errors: number
  firstError?: string
  elapsedMs: number
  requestsPerSecond: number
  p50Ms: number
  p99Ms: number
}
