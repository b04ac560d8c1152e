// Variant (c): the Feathers Koa transport (REST, body parser, error handler) over an in-memory service, no hooks.
import { createServer } from 'node:http'
import { NotFound } from '@feathersjs/errors'
import { feathers } from '@feathersjs/feathers'
import { bodyParser, errorHandler, koa, rest } from '@feathersjs/koa'
import { type Item, ItemStore } from './item-store.ts'
import { type Listening, listening } from './listening.ts'

class ItemService {
  private readonly store = new ItemStore()

  async get(id: string): Promise<Item> {
    const item = this.store.get(String(id))
    if (!item) throw new NotFound('Not found')
    return item
  }

  async create(data: { title: unknown; description: unknown }): Promise<Item> {
    return this.store.create(data)
  }
}

export async function startFeathersMemory(): Promise<Listening> {
  const app = koa(feathers())
  app.use(errorHandler())
  app.use(bodyParser())
  app.configure(rest())
  app.use('items', new ItemService(), { methods: ['get', 'create'] })
  await app.setup()
  return listening(createServer(app.callback()))
}
