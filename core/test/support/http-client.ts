// Test client: JSON (or a raw body) over real HTTP, with optional bearer token, tenant header, Host override
// and Feathers custom method; answers status, headers, the parsed body and the raw text.
import { request } from 'node:http'

export interface HttpResponse<T = any> {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: T
  text: string
}

export interface HttpOptions {
  token?: string
  tenant?: string
  host?: string
  headers?: Record<string, string>
  /** Custom Feathers method (X-Service-Method), e.g. 'setAccess'. */
  serviceMethod?: string
  /** Raw body (sent as is, with the given content type) instead of JSON. */
  raw?: { body: Buffer | string; contentType: string }
}

function encodeBody(body: unknown, raw: HttpOptions['raw']): Buffer | undefined {
  if (raw) return Buffer.from(raw.body)
  if (body === undefined) return undefined
  return Buffer.from(typeof body === 'string' ? body : JSON.stringify(body))
}

export function http<T = any>(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
  options: HttpOptions = {}
): Promise<HttpResponse<T>> {
  const url = new URL(path, baseUrl)
  const payload = encodeBody(body, options.raw)
  const headers: Record<string, string> = {
    accept: 'application/json',
    ...(payload && {
      'content-type': options.raw?.contentType ?? 'application/json',
      'content-length': String(payload.length)
    }),
    ...(options.token && { authorization: `Bearer ${options.token}` }),
    ...(options.tenant && { 'x-tenant': options.tenant }),
    ...(options.host && { host: options.host }),
    ...(options.serviceMethod && { 'x-service-method': options.serviceMethod }),
    ...options.headers
  }
  return new Promise((resolve, reject) => {
    // No keep-alive: a test's requests must not hold connections that delay the app's graceful stop.
    const req = request(url, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk) => chunks.push(chunk))
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        let parsed: any = text
        try {
          parsed = text ? JSON.parse(text) : undefined
        } catch {}
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed, text })
      })
    })
    // A server refusing a huge body may close the socket mid-upload: the error reaches the caller.
    req.on('error', reject)
    if (payload) req.write(payload)
    req.end()
  })
}

export type ApiClient = ReturnType<typeof api>

/** The client bound to one base URL, one method per HTTP verb. */
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
