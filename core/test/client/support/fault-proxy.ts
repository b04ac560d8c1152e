// Test support: an HTTP proxy in front of the real API that forwards everything except the requests a test
// chooses to fail (status and error body as the API would answer), to see how a web app handles 429/503.
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface FaultRule {
  method: string
  path: string
  status: number
}

export interface FaultProxy {
  url: string
  /** Fail matching requests from now on (null: forward everything). */
  fail(rule: FaultRule | null): void
  close(): Promise<void>
}

async function body(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

export async function startFaultProxy(targetUrl: string): Promise<FaultProxy> {
  let rule: FaultRule | null = null
  const server = createServer(async (request, response) => {
    const path = (request.url ?? '/').split('?')[0]
    if (rule && request.method === rule.method && path === rule.path) {
      await body(request)
      response.writeHead(rule.status, { 'content-type': 'application/json' })
      response.end(
        JSON.stringify({
          name: 'Injected',
          message: `injected ${rule.status}`,
          code: rule.status,
          className: 'x'
        })
      )
      return
    }
    const headers = new Headers()
    for (const [name, value] of Object.entries(request.headers)) {
      if (typeof value === 'string' && name !== 'host' && name !== 'content-length') headers.set(name, value)
    }
    const payload =
      request.method === 'GET' || request.method === 'HEAD' ? undefined : new Uint8Array(await body(request))
    const upstream = await fetch(`${targetUrl}${request.url}`, {
      method: request.method,
      headers,
      body: payload
    })
    const answer = Buffer.from(await upstream.arrayBuffer())
    response.writeHead(upstream.status, {
      'content-type': upstream.headers.get('content-type') ?? 'application/json'
    })
    response.end(answer)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    fail: (next) => {
      rule = next
    },
    close: () => new Promise((resolve) => server.close(() => resolve()))
  }
}
