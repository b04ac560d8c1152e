// Variant (f): bare Koa with router and body parser making the same driver calls the platform's mongoose
// service makes for (e), tenant filter included, with no framework, auth or validation around them.
import { createServer } from 'node:http'
import Router from '@koa/router'
import Koa from 'koa'
import { koaBody } from 'koa-body'
import { MongoClient, ObjectId } from 'mongodb'
import { type Listening, listening } from './listening.ts'

export async function startBareKoaDriver(
  mongoUri: string,
  tenantId: string
): Promise<Listening & { documentId: string }> {
  const client = await MongoClient.connect(mongoUri)
  const collection = client.db().collection('bench_items_bare')
  const seeded = await collection.insertOne({
    tenantId,
    title: 'Seeded',
    description: 'x'.repeat(200),
    createdAt: new Date().toISOString()
  })
  const app = new Koa()
  const router = new Router()
  router.get('/documents/:id', async (ctx) => {
    const doc = ObjectId.isValid(ctx.params.id)
      ? await collection.findOne({ _id: new ObjectId(ctx.params.id), tenantId })
      : null
    if (!doc) ctx.throw(404, 'Not found')
    ctx.body = doc
  })
  router.post('/documents', async (ctx) => {
    const data = ctx.request.body as { title: string; description: string }
    const doc = {
      title: data.title,
      description: data.description,
      createdAt: new Date().toISOString(),
      tenantId
    }
    const result = await collection.insertOne(doc)
    ctx.status = 201
    ctx.body = { _id: result.insertedId, ...doc }
  })
  app.use(koaBody())
  app.use(router.routes())
  const server = await listening(createServer(app.callback()))
  return {
    ...server,
    documentId: String(seeded.insertedId),
    close: async () => {
      await server.close()
      await client.close()
    }
  }
}
