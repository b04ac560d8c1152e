// Tests of the test bootstrap itself: what every integration suite relies on (a listening app with the
// requested wiring, seed, clients, and a close that leaves no database or connection behind).
import mongoose from 'mongoose'
import { afterAll, describe, expect, it } from 'vitest'
import { seedAgency, seedStaff, seedTenant, TEST_PASSWORD } from './seed-platform.ts'
import { startTestPlatform, type TestPlatform } from './test-platform.ts'

async function databaseNames(uri: string): Promise<string[]> {
  const admin = await mongoose.createConnection(uri).asPromise()
  try {
    const { databases } = await admin.db!.admin().listDatabases()
    return databases.map((database: { name: string }) => database.name)
  } finally {
    await admin.close()
  }
}

const open: TestPlatform<any>[] = []
afterAll(async () => {
  for (const platform of open) await platform.close()
})

describe('startTestPlatform', () => {
  it('serves the app over HTTP and Socket.io with the seed and recorded events, and logs seeded users in', async () => {
    const platform = await startTestPlatform('platform-kit-basic', {
      seed: async (app) => {
        const agency = await seedAgency(app, 'kit-agency')
        const tenant = await seedTenant(app, { slug: 'kit-tenant', agencyId: agency._id })
        const host = await seedStaff(app, { email: 'host@kit.test', role: 'host', tenantIds: [tenant._id] })
        return { tenant, host }
      }
    })
    open.push(platform)
    expect(platform.url).toBe(`http://127.0.0.1:${platform.port}`)
    expect((await platform.http.get('/health')).status).toBe(200)

    const token = await platform.login('host@kit.test', { tenant: platform.seed.tenant._id })
    const me = await platform.http.get(`/users/${platform.seed.host._id}`, {
      token,
      tenant: platform.seed.tenant._id
    })
    expect(me.status).toBe(200)
    expect(me.body.email).toBe('host@kit.test')
    await expect(platform.login('host@kit.test', { password: `${TEST_PASSWORD}-wrong` })).rejects.toThrow(
      /401/
    )

    const socket = await platform.socket({ tenant: platform.seed.tenant._id })
    const auth = await socket.call('create', 'authentication', { strategy: 'jwt', accessToken: token })
    expect(auth.user.email).toBe('host@kit.test')
    socket.close()

    // Seeding went through the services: the tenant's creation was emitted as a domain event.
    expect(platform.events!.emitted.map((event) => event.name)).toContain('tenant.created')
  })

  it('names its real URL in the config when the port is reserved first', async () => {
    const platform = await startTestPlatform('platform-kit-port', { knownPort: true })
    open.push(platform)
    expect(platform.config.port).toBe(platform.port)
    expect(platform.config.publicApiUrl).toBe(platform.url)
  })

  it('drops its own database on close, and leaves a shared one to its owner', async () => {
    const owner = await startTestPlatform('platform-kit-owner')
    await seedAgency(owner.app, 'kit-owner')
    const second = await startTestPlatform('platform-kit-second', {
      config: { mongoUri: owner.config.mongoUri },
      sharedDatabase: true
    })
    const name = owner.app.get('mongoose').name
    await second.close()
    expect(await databaseNames(owner.config.mongoUri)).toContain(name)
    await owner.close()
    expect(await databaseNames(owner.config.mongoUri)).not.toContain(name)
    expect(owner.app.get('mongoose').readyState).toBe(0)
  })

  it('stops what it started when seeding fails, drops its database, and reports the seed error', async () => {
    let connection: any
    let uri = ''
    await expect(
      startTestPlatform('platform-kit-failed-seed', {
        seed: async (app) => {
          connection = app.get('mongoose')
          uri = app.get('config').mongoUri
          await connection.collection('kit_marker').insertOne({ written: true })
          await seedAgency(app, 'Not A Slug!')
        }
      })
    ).rejects.toThrow(/agency/i)
    expect(connection.readyState).toBe(0)
    expect(await databaseNames(uri)).not.toContain(connection.name)
  })
})
