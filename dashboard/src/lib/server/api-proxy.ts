// Same-origin, read-only proxy from the dashboard to the API for downloads (CSV exports, documents): the
// browser sends its session cookie here, this adds the staff token and selected tenant, and streams the
// API's answer back unbuffered. Only GET/HEAD: writes go through form actions, which check origins.

/** API paths are service paths: lowercase segments, no dot segments, no encoded separators. */
const SERVICE_PATH = /^[a-z0-9][a-z0-9-]*(\/[a-zA-Z0-9_-][a-zA-Z0-9_.-]*)*$/

/** Response headers passed through; everything else (cookies, CORS, server details) stays behind. */
const PASSED_HEADERS = [
  'content-type',
  'content-disposition',
  'content-length',
  'content-encoding',
  'etag',
  'last-modified',
  'x-request-id'
]

export function isProxiablePath(path: string): boolean {
  return SERVICE_PATH.test(path) && !path.split('/').some((segment) => segment === '.' || segment === '..')
}

export interface ProxyRequest {
  apiUrl: string
  path: string
  search: string
  method: 'GET' | 'HEAD'
  accessToken: string
  tenantId?: string
  requestId: string
  accept?: string | null
  signal?: AbortSignal
}

export async function proxyToApi(request: ProxyRequest): Promise<Response> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${request.accessToken}`,
    'x-request-id': request.requestId,
    accept: request.accept ?? '*/*'
  }
  if (request.tenantId) headers['x-tenant'] = request.tenantId
  const upstream = await fetch(`${request.apiUrl}/${request.path}${request.search}`, {
    method: request.method,
    headers,
    redirect: 'manual',
    signal: request.signal
  })
  const passed = new Headers({ 'cache-control': 'private, no-store' })
  for (const name of PASSED_HEADERS) {
    const value = upstream.headers.get(name)
    if (value !== null) passed.set(name, value)
  }
  // The body stream is handed on as it arrives: a large export never sits in this server's memory.
  return new Response(request.method === 'HEAD' ? null : upstream.body, {
    status: upstream.status,
    headers: passed
  })
}
