// Runs the adapter conformance suite against MongooseService on the database harness, internally and
// over real HTTP through a started Koa app (core's error handler, body parser, REST transport).
import type { Server } from 'node:http'
import { feathers } from '@feathersjs/feathers'
import { bodyParser, koa, rest } from '@feathersjs/koa'
import type { Connection } from 'mongoose'
import { afterAll, beforeAll } from 'vitest'
import { errorHandlerMiddleware } from '../../src/app/error-handler.ts'
import { currentScope, runAsSystem, runInScope, runUnscoped } from '../../src/context/request-scope.ts'
import { connectDatabase } from '../../src/data/connect.ts'
import { rejectUpdateOperators } from '../../src/data/data-guard.ts'
import { MongooseService } from '../../src/data/mongoose-service.ts'
import { validateBody } from '../../src/data/validate-body.ts'
import { createLogger } from '../../src/logging/logger.ts'
import { testDatabaseUri } from '../support/database.ts'
import { adapterConformance } from './adapter-conformance.ts'
import { definePeopleModels, peopleQuery, personData } from './conformance-fixtures.ts'

let connection: Connection
let models: ReturnType<typeof definePeopleModels>
let service: MongooseService
let server: Server
let baseUrl = ''

/** Stand-in for core's call guard: each external call runs in the scope of the X-Test-Tenant header. */
async function scopeFromHeader(context: any, next: () => Promise<void>) {
  const tenantId = context.params.headers?.['x-test-tenant']
  if (!context.params.provider || currentScope()) return next()
  await runInScope({ requestId: 'conformance', tenantId, actor: { kind: 'anonymous' } }, () => next())
}

beforeAll(async () => {
  connection = await connectDatabase(testDatabaseUri('adapter_conformance'))
  models = definePeopleModels(connection)
  await runUnscoped('indexes', () => Promise.all([models.Person.init(), models.Company.init()]))
  service = new MongooseService({
    Model: models.Person,
    paginate: { default: 10, max: 50 },
    multi: ['create', 'patch', 'remove'],
    externalMulti: ['create'],
    query: peopleQuery
  })
  const logger = createLogger({ level: 'silent' })
  const app = koa(feathers())
  app.use(errorHandlerMiddleware(logger))
  app.use(bodyParser())
  app.configure(rest())
  app.use('people', service, { methods: ['find', 'get', 'create', 'update', 'patch', 'remove'] })
  app.service('people').hooks({
    around: { all: [scopeFromHeader] },
    before: {
      create: [validateBody({ create: personData })],
      // First on patch, so it sees exactly what the client sent; update relies on the adapter's own guard.
      patch: [rejectUpdateOperators({ secretPaths: ['passwordHash'] })]
    }
  })
  server = await app.listen(0)
  const address = server.address()
  baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
})

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve))
  await connection?.dropDatabase().catch(() => {})
  await connection?.close()
})

adapterConformance('MongooseService', {
  service: () => service,
  asTenant: (tenantId, fn) => runAsSystem('conformance', tenantId, fn),
  baseUrl: () => baseUrl,
  createCompany: (tenantId, name, apiKey) =>
    runAsSystem('conformance', tenantId, () => models.Company.create({ name, apiKey })),
  reset: () =>
    runUnscoped('reset', async () => {
      await models.Person.deleteMany({})
      await models.Company.deleteMany({})
    })
})
