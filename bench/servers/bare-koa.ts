// Variant (b): bare Koa with @koa/router and koa-body: the baseline every Feathers variant is compared with.
import { createServer } from 'node:http'
import Router from '@koa/router'
import Koa from 'koa'
import { koaBody } from 'koa-body'
import { ItemStore } from './item-store.ts'
import { type Listening, listening } from './listening.ts'

export function startBareKoa(): Promise<Listening> {
  const store = new ItemStore()
  const app = new Koa()
  const router = new Router()
  router.get('/items/:id', (ctx) => {
    const item = store.get(ctx.params.id)
    if (!item) ctx.throw(404, 'Not found')
    ctx.body = item
  })
  router.post('/items', (ctx) => {
    ctx.status = 201
    ctx.body = store.create(ctx.request.body as { title: unknown; description: unknown })
  })
  app.use(koaBody())
  app.use(router.routes())
  app.use(router.allowedMethods())
  return listening(createServer(app.callback()))
}
