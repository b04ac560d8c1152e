// Smoke: the access app boots, seeds, and a host can log in over HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from './support/access-test-app.ts'
import { api } from './support/http-client.ts'
import { PASSWORD, type Seed, seedAccess } from './support/seed.ts'

let t: TestApp
let seed: Seed
beforeAll(async () => {
  t = await startTestApp('auth-smoke')
  seed = await seedAccess(t.app)
})
afterAll(() => t?.close())

describe('smoke', () => {
  it('logs in', async () => {
    const res = await api(t.url).login(seed.users.avaHost.email, PASSWORD)
    expect(res.status).toBe(201)
    expect(res.body.accessToken).toBeTypeOf('string')
    expect(res.body.user.passwordHash).toBeUndefined()
  })
})
