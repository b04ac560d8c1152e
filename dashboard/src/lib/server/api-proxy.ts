// Same-origin, read-only proxy from the dashboard to the API for downloads (CSV exports): the
// browser sends its session cookie here, this adds the staff token and selected tenant, and streams the
// API's answer back unbuffered. Only GET/HEAD: writes go through form actions, which check origins.

/**
 * Only download endpoints: a service path ending in `/export` (`pipeline/export`). Anything else the API
 * answers (a checkout page, JSON with ids in the path) has no reason to be on the dashboard's origin.
 */
const DOWNLOAD_PATH = /^[a-z0-9][a-z0-9-]*(\/[a-z0-9][a-z0-9-]*)*\/export$/

/**
 * Response headers passed through; everything else (cookies, CORS, server details) stays behind. Not
 * content-encoding/content-length: fetch has already decompressed the body, so they would describe bytes
 * that are no longer there (the server sends the streamed body chunked instead).
 */
const PASSED_HEADERS = ['content-type', 'content-disposition', 'etag', 'last-modified', 'x-request-id']

/** Whatever the API sends, the browser must not sniff it into HTML nor run it as a page of this origin. */
const DOWNLOAD_SAFETY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': 'sandbox'
}

export function isProxiablePath(path: string): boolean {
  return DOWNLOAD_PATH.test(path)
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
  const passed = new Headers({ 'cache-control': 'private, no-store', ...DOWNLOAD_SAFETY_HEADERS })
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
