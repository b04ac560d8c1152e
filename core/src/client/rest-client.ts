// Typed Feathers REST client (fetch) for server-side rendering and tests: one instance per request,
// carrying the addressed tenant (X-Tenant) and the caller's token, so nothing is shared across users.
import { feathers } from '@feathersjs/feathers'
import restModule from '@feathersjs/rest-client'
import { registerCustomMethods } from './custom-methods.ts'
import type { MasterstageClient } from './types.ts'
import './core-service-types.ts'

// CommonJS default export: Node hands over module.exports, bundlers may wrap it in `default`.
const rest = ((restModule as any).default ?? restModule) as (base?: string) => {
  fetch(connection: unknown, options?: unknown): any
}

export interface RestClientOptions {
  /** API base URL, e.g. http://127.0.0.1:3030 */
  apiUrl: string
  /** Tenant slug or id, sent as X-Tenant. */
  tenant?: string
  /** JWT from /authentication, sent as a bearer token. */
  accessToken?: string
  /** Correlates the API's logs with the web request. */
  requestId?: string
  fetch?: typeof fetch
  /** Custom methods of plugin services, by path (core's are known). */
  customMethods?: Readonly<Record<string, readonly string[]>>
}

export function createRestClient(options: RestClientOptions): MasterstageClient {
  const headers: Record<string, string> = {}
  if (options.tenant) headers['X-Tenant'] = options.tenant
  if (options.accessToken) headers.Authorization = `Bearer ${options.accessToken}`
  if (options.requestId) headers['X-Request-Id'] = options.requestId
  const client = feathers() as unknown as MasterstageClient
  const fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis)
  const connection = rest(options.apiUrl.replace(/\/$/, '')).fetch(fetchImpl, { headers })
  client.configure(connection)
  registerCustomMethods(client as any, connection, options.customMethods)
  return client
}

export interface LoginResult {
  accessToken: string
  user: { _id: string; email: string; role: string; agencyId?: string; tenantIds: string[] }
}

/** Local (email + password) login; attendees log in within the tenant the client addresses. */
export async function loginWithPassword(
  client: MasterstageClient,
  email: string,
  password: string
): Promise<LoginResult> {
  const result = await (client as any)
    .service('authentication')
    .create({ strategy: 'local', email, password })
  return { accessToken: result.accessToken, user: result.user }
}
