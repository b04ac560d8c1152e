// The dashboard's /api download proxy against a real HTTP upstream: which paths it forwards, and that
// what it hands the browser is an inert download (decoded body without stale encoding headers, no sniffing,
// sandboxed if it is HTML anyway).
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isProxiablePath, proxyToApi } from '../src/lib/server/api-proxy.ts'

const CSV = `id,name\n${'1,Ana Lead\n'.repeat(200)}`
let upstream: Server
let apiUrl = ''
const seen: { url?: string; headers: Record<string, unknown> }[] = []

beforeAll(async () => {
  upstream = createServer((request, response) => {
    seen.push({ url: request.url, headers: request.headers })
    const html = request.url?.startsWith('/html/export')
    const body = gzipSync(html ? '<script>alert(document.cookie)</script>' : CSV)
    response.writeHead(200, {
      'content-type': html ? 'text/html' : 'text/csv; charset=utf-8',
      'content-disposition': 'attachment; filename="leads.csv"',
      'content-encoding': 'gzip',
      'content-length': String(body.length),
      'set-cookie': 'api_session=secret',
      'access-control-allow-origin': '*',
      etag: '"v1"'
    })
    response.end(body)
  })
  await new Promise<void>((done) => upstream.listen(0, '127.0.0.1', done))
  apiUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`
})

afterAll(() => new Promise<void>((done) => upstream.close(() => done())))

const proxy = (path: string, method: 'GET' | 'HEAD' = 'GET') =>
  proxyToApi({
    apiUrl,
    path,
    search: '?status=new',
    method,
    accessToken: 'staff-token',
    tenantId: 'tenant-1',
    requestId: 'req-1'
  })

describe('/api proxy paths', () => {
  it.each(['pipeline/export', 'payments/invoices/export'])('forwards the download endpoint %s', (path) => {
    expect(isProxiablePath(path)).toBe(true)
  })

  it.each([
    'payments-sandbox/checkout/abc123',
    'pipeline/leads',
    'pipeline/leads/64b7f0c2e1d3a4b5c6d7e8f9',
    'users',
    'pipeline/../users/export',
    'pipeline/./export',
    'pipeline/export.html',
    'pipeline/export/',
    'pipeline/%2e%2e/export',
    'Pipeline/export',
    'export',
    ''
  ])('refuses %j', (path) => {
    expect(isProxiablePath(path)).toBe(false)
  })
})

describe('/api proxy responses', () => {
  it('hands on the decoded body without the encoding and length that described the compressed one', async () => {
    const response = await proxy('pipeline/export')
    expect(response.status).toBe(200)
    expect(response.headers.get('content-encoding')).toBeNull()
    expect(response.headers.get('content-length')).toBeNull()
    expect(response.headers.get('transfer-encoding')).toBeNull()
    expect(await response.text()).toBe(CSV)
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8')
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="leads.csv"')
    expect(response.headers.get('etag')).toBe('"v1"')
    expect(seen.at(-1)).toMatchObject({
      url: '/pipeline/export?status=new',
      headers: { authorization: 'Bearer staff-token', 'x-tenant': 'tenant-1', 'x-request-id': 'req-1' }
    })
  })

  it('marks every answer as a download that cannot run as a page of the dashboard', async () => {
    const response = await proxy('html/export')
    expect(response.headers.get('x-content-type-options')).toBe('nosniff')
    expect(response.headers.get('content-security-policy')).toBe('sandbox')
    expect(response.headers.get('cache-control')).toBe('private, no-store')
    expect(response.headers.get('set-cookie')).toBeNull()
    expect(response.headers.get('access-control-allow-origin')).toBeNull()
    await response.arrayBuffer()
  })

  it('answers HEAD without a body', async () => {
    const response = await proxy('pipeline/export', 'HEAD')
    expect(response.status).toBe(200)
    expect(response.body).toBeNull()
    expect(response.headers.get('content-security-policy')).toBe('sandbox')
  })
})
