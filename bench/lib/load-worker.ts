// Load generator process: keeps `connections` keep-alive HTTP/1.1 connections busy (one request in flight
// each) for a fixed time and reports throughput and latency to its parent. It writes pre-built request
// bytes on raw sockets and parses only status and content-length, so the client costs far less CPU than
// the servers it measures (node:http's client would be the bottleneck on a 2-core machine).
import { connect, type Socket } from 'node:net'
import type { LoadResult, LoadSpec } from './load-spec.ts'

const HEADER_END = Buffer.from('\r\n\r\n')

function buildRequest(spec: LoadSpec, url: URL): Buffer {
  const body = spec.body === undefined ? undefined : Buffer.from(spec.body)
  // A spec's own host header (tenant selection) replaces the URL's.
  const headers: Record<string, string> = { host: url.host, ...spec.headers }
  const lines = [`${spec.method} ${url.pathname}${url.search} HTTP/1.1`, 'connection: keep-alive']
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`)
  if (body) lines.push('content-type: application/json', `content-length: ${body.length}`)
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`)
  return body ? Buffer.concat([head, body]) : head
}

interface Tally {
  latenciesUs: number[]
  errors: number
  firstError?: string
}

/** Drives one connection until the deadline: send, read one full response, repeat. */
function driveConnection(
  url: URL,
  request: Buffer,
  spec: LoadSpec,
  deadline: number,
  tally: Tally
): Promise<void> {
  return new Promise((resolve) => {
    const socket: Socket = connect(Number(url.port), url.hostname)
    socket.setNoDelay(true)
    let buffer: Buffer = Buffer.alloc(0)
    let started = 0
    const fail = (message: string) => {
      tally.errors++
      tally.firstError ??= message
    }
    const send = () => {
      if (performance.now() >= deadline) {
        socket.end()
        return
      }
      started = performance.now()
      socket.write(request)
    }
    socket.on('connect', send)
    socket.on('data', (chunk: Buffer) => {
      buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk
      while (true) {
        const headerEnd = buffer.indexOf(HEADER_END)
        if (headerEnd < 0) return
        const head = buffer.subarray(0, headerEnd).toString('latin1')
        const status = Number(head.slice(9, 12))
        const lengthMatch = /\r\ncontent-length:\s*(\d+)/i.exec(head)
        if (!lengthMatch) {
          fail('response without content-length (chunked responses are not supported)')
          socket.destroy()
          return
        }
        const total = headerEnd + 4 + Number(lengthMatch[1])
        if (buffer.length < total) return
        buffer = buffer.subarray(total)
        if (status === spec.expectStatus)
          tally.latenciesUs.push(Math.round((performance.now() - started) * 1000))
        else fail(`status ${status} (expected ${spec.expectStatus})`)
        send()
      }
    })
    socket.on('error', (error) => fail(error.message))
    socket.on('close', () => resolve())
  })
}

async function run(spec: LoadSpec): Promise<LoadResult> {
  const url = new URL(spec.url)
  const request = buildRequest(spec, url)
  const tally: Tally = { latenciesUs: [], errors: 0 }
  const started = performance.now()
  const deadline = started + spec.durationMs
  await Promise.all(
    Array.from({ length: spec.connections }, () => driveConnection(url, request, spec, deadline, tally))
  )
  const elapsedMs = performance.now() - started
  const latencies = tally.latenciesUs.sort((a, b) => a - b)
  const pick = (q: number) =>
    latencies.length ? latencies[Math.floor((latencies.length - 1) * q)] / 1000 : 0
  return {
    requests: latencies.length,
    errors: tally.errors,
    firstError: tally.firstError,
    elapsedMs,
    requestsPerSecond: (latencies.length / elapsedMs) * 1000,
    p50Ms: pick(0.5),
    p99Ms: pick(0.99)
  }
}

process.once('message', (spec: LoadSpec) => {
  run(spec).then(
    (result) => process.send!(result, () => process.exit(0)),
    (error) => {
      console.error(error)
      process.exit(1)
    }
  )
})
