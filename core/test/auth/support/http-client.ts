// Test helper: JSON over real HTTP, with optional bearer token, tenant header and Host override.
import { request } from 'node:http'

export interface HttpResponse<T = any> {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: T
}

export interface HttpOptions {
  token?: string
  tenant?: string
  host?: string
  headers?: Record<string, string>
  /** Custom Feathers method (X-Service-Method), e.g. 'setAccess'. */
  serviceMethod?: string
}

export function http<T = any>(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
  options: HttpOptions = {}
): Promise<HttpResponse<T>> {
  const url = new URL(path, baseUrl)
  const payload =
    body === undefined ? undefined : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body))
  const headers: Record<string, string> = {
    accept: 'application/json',
    ...(payload && { 'content-type': 'application/json', 'content-length': String(payload.length) }),
    ...(options.token && { authorization: `Bearer ${options.token}` }),
    ...(options.tenant && { 'x-tenant': options.tenant }),
    ...(options.host && { host: options.host }),
    ...(options.serviceMethod && { 'x-service-method': options.serviceMethod }),
    ...options.headers
  }
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk) => chunks.push(chunk))
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        let parsed: any = text
        try {
          parsed = text ? JSON.parse(text) : undefined
        } catch {}
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed })
      })
    })
    req.on('error', reject)
    if (payload) req.write(payload)
    req.end()
  })
}

export function api(baseUrl: string) {
  return {
    get: <T = any>(path: string, options?: HttpOptions) => http<T>(baseUrl, 'GET', path, undefined, options),
    post: <T = any>(path: string, body: unknown, options?: HttpOptions) =>
      http<T>(baseUrl, 'POST', path, body, options),
    patch: <T = any>(path: string, body: unknown, options?: HttpOptions) =>
      http<T>(baseUrl, 'PATCH', path, body, options),
    put: <T = any>(path: string, body: unknown, options?: HttpOptions) =>
      http<T>(baseUrl, 'PUT', path, body, options),
    delete: <T = any>(path: string, options?: HttpOptions) =>
      http<T>(baseUrl, 'DELETE', path, undefined, options),
    /** POST /authentication with the local strategy; returns the response (accessToken on 201). */
    login: (email: string, password: string, options?: HttpOptions) =>
      http(baseUrl, 'POST', '/authentication', { strategy: 'local', email, password }, options)
  }
}
