// The adapter's trusted scopeFilter (set by core, e.g. the access policy's `own` rule): ANDed onto every
// read and write filter and never widened by client query conditions, even on fields the schema allows.
import type { Connection } from 'mongoose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runAsSystem, runUnscoped } from '../../src/context/request-scope.ts'
import { connectDatabase } from '../../src/data/connect.ts'
import { MongooseService } from '../../src/data/mongoose-service.ts'
import { testDatabaseUri } from '../support/database.ts'
import { definePeopleModels, peopleQuery } from './conformance-fixtures.ts'

let connection: Connection
let service: MongooseService
const ids: Record<string, string> = {}
const TENANT = 'aaaaaaaaaaaaaaaaaaaaaaaa'
const mine = { status: 'lead' }
const external = (query: Record<string, unknown> = {}) => ({ provider: 'rest', query, scopeFilter: mine })
const inTenant = <T>(fn: () => Promise<T>) => runAsSystem('scope-filter-test', TENANT, fn)

beforeAll(async () => {
  connection = await connectDatabase(testDatabaseUri('scope_filter'))
  const models = definePeopleModels(connection)
  await runUnscoped('indexes', () => models.Person.init())
  service = new MongooseService({ Model: models.Person, query: peopleQuery, multi: true })
  await inTenant(async () => {
    for (const [name, status] of [
      ['lena', 'lead'],
      ['carl', 'customer']
    ]) {
      const created: any = await service.create({ name, email: `${name}@x.test`, status })
      ids[name] = String(created._id)
    }
  })
})
afterAll(async () => {
  await connection?.dropDatabase().catch(() => undefined)
  await connection?.close()
})

describe('trusted scopeFilter', () => {
  it('narrows find; client conditions on the same field only narrow further', async () => {
    const names = async (query: Record<string, unknown>) =>
      ((await inTenant(() => service.find(external(query) as any))) as any[]).map((p) => p.name).sort()
    expect(await names({})).toEqual(['lena'])
    expect(await names({ status: { $in: ['lead', 'customer'] } })).toEqual(['lena'])
    expect(await names({ status: { $ne: 'lead' } })).toEqual([])
    expect(await names({ name: { $in: ['carl', 'lena'] } })).toEqual(['lena'])
  })

  it('answers 404 outside the filter for get, patch, update and remove, changing nothing', async () => {
    const carl = ids.carl
    await expect(inTenant(() => service.get(carl, external() as any))).rejects.toMatchObject({ code: 404 })
    await expect(inTenant(() => service.patch(carl, { name: 'x' }, external() as any))).rejects.toMatchObject(
      {
        code: 404
      }
    )
    await expect(
      inTenant(() => service.update(carl, { name: 'x', email: 'x@x.test' }, external() as any))
    ).rejects.toMatchObject({ code: 404 })
    await expect(inTenant(() => service.remove(carl, external() as any))).rejects.toMatchObject({ code: 404 })
    const still: any = await inTenant(() => service.get(carl))
    expect(still.name).toBe('carl')
  })

  it('limits internal multi patches too', async () => {
    const patched = (await inTenant(() =>
      service.patch(null, { age: 33 }, { scopeFilter: mine } as any)
    )) as any[]
    expect(patched.map((p) => p.name)).toEqual(['lena'])
    expect(((await inTenant(() => service.get(ids.carl))) as any).age).toBeUndefined()
  })
})
