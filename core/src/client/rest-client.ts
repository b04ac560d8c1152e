// Typed Feathers REST client (fetch) for server-side rendering and tests: one per request, carrying the
// addressed tenant (X-Tenant) and the caller's token in every call's headers, so nothing is shared across
// users; the Feathers app underneath is shared per API URL (building one costs milliseconds).
import { feathers } from '@feathersjs/feathers'
import restModule from '@feathersjs/rest-client'
import { CORE_CUSTOM_METHODS, registerCustomMethods, STANDARD_METHODS as STANDARD } from './custom-methods.ts'
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
  /**
   * The visitor's address, sent as X-Forwarded-For so per-IP limits count visitors, not the web server.
   * The API uses it only with TRUST_PROXY=true (set that where only the web apps and proxies reach it).
   */
  forwardedFor?: string
  fetch?: typeof fetch
  /** Custom methods of plugin services, by path (core's are known). */
  customMethods?: Readonly<Record<string, readonly string[]>>
}

const STANDARD_ARITY: Readonly<Record<string, number>> = {
  find: 0,
  get: 1,
  create: 1,
  update: 2,
  patch: 2,
  remove: 1
}

interface SharedClient {
  app: MasterstageClient
  methods: (path: string) => readonly string[]
}

// Registering a service on a Feathers app costs ~1 ms (hook and event mixins): far too much per SSR
// request. One app per API URL (and set of custom methods) is shared by every request; what is per request
// (tenant, token, request id) travels as headers in each call's params, so nothing leaks between users.
const sharedClients = new Map<string, SharedClient>()

function sharedClient(options: RestClientOptions): SharedClient {
  const apiUrl = options.apiUrl.replace(/\/$/, '')
  const key = `${apiUrl} ${JSON.stringify(options.customMethods ?? {})}`
  let shared = options.fetch ? undefined : sharedClients.get(key)
  if (shared) return shared
  const app = feathers() as unknown as MasterstageClient
  const fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis)
  const connection = rest(apiUrl).fetch(fetchImpl)
  app.configure(connection)
  const custom = { ...CORE_CUSTOM_METHODS, ...options.customMethods }
  registerCustomMethods(app as any, connection, options.customMethods)
  shared = { app, methods: (path) => [...STANDARD, ...(custom[path] ?? [])] }
  if (!options.fetch) sharedClients.set(key, shared)
  return shared
}

/**
 * A client for one request (or one test user): `client.service(path).<method>(...)` like a Feathers client,
 * backed by the shared app, with this caller's headers added to every call.
 */
export function createRestClient(options: RestClientOptions): MasterstageClient {
  const headers: Record<string, string> = {}
  if (options.tenant) headers['X-Tenant'] = options.tenant
  if (options.accessToken) headers.Authorization = `Bearer ${options.accessToken}`
  if (options.requestId) headers['X-Request-Id'] = options.requestId
  if (options.forwardedFor) headers['X-Forwarded-For'] = options.forwardedFor
  const shared = sharedClient(options)
  const facades = new Map<string, Record<string, unknown>>()
  const service = (path: string) => {
    const name = path.replace(/^\/+|\/+$/g, '')
    let facade = facades.get(name)
    if (!facade) {
      const target = shared.app.service(name as any) as any
      facade = {}
      for (const method of shared.methods(name)) {
        // Custom methods take (data, params) like create.
        const paramsAt = STANDARD_ARITY[method] ?? 1
        facade[method] = (...args: unknown[]) => {
          const params = (args[paramsAt] ?? {}) as { headers?: Record<string, string> }
          const call = [...args.slice(0, paramsAt)]
          while (call.length < paramsAt) call.push(undefined)
          call.push({ ...params, headers: { ...headers, ...params.headers } })
          return target[method](...call)
        }
      }
      facades.set(name, facade)
    }
    return facade
  }
  return { service } as unknown as MasterstageClient
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
