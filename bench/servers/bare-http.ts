// Variant (a): bare node:http with hand-written routing and JSON parsing: the floor of framework cost.
import { createServer } from 'node:http'
import { ItemStore } from './item-store.ts'
import { type Listening, listening } from './listening.ts'

export function startBareHttp(): Promise<Listening> {
  const store = new ItemStore()
  const server = createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      const json = JSON.stringify(body)
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) })
      res.end(json)
    }
    const match = /^\/items(?:\/([^/?]+))?/.exec(req.url ?? '')
    if (!match) return send(404, { message: 'Not found' })
    if (req.method === 'GET' && match[1]) {
      const item = store.get(match[1])
      return item ? send(200, item) : send(404, { message: 'Not found' })
    }
    if (req.method === 'POST' && !match[1]) {
      const chunks: Buffer[] = []
      req.on('data', (chunk: Buffer) => chunks.push(chunk))
      req.on('end', () => {
        try {
          send(201, store.create(JSON.parse(Buffer.concat(chunks).toString('utf8'))))
        } catch {
          send(400, { message: 'Invalid JSON' })
        }
      })
      return
    }
    send(405, { message: 'Method not allowed' })
  })
  return listening(server)
}
