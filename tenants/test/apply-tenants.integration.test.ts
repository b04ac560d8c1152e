// Applying the brand packs through the real services: demo data lands as designed, a second run changes
// nothing but reports updates, edits flow through, and a broken pack writes nothing.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MongoClient } from 'mongodb'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runScript, scriptDatabaseUri, scriptEnvironment } from '../../scripts/test/support/run-script.ts'
import { DEFAULT_PACKS_DIR } from '../src/load-packs.ts'

describe('tenants:apply', { timeout: 180_000 }, () => {
  const uri = scriptDatabaseUri('apply-tenants')
  const env = scriptEnvironment(uri)
  let client: MongoClient
  const count = async () => ({
    agencies: await client.db().collection('agencies').countDocuments(),
    tenants: await client.db().collection('tenants').countDocuments(),
    users: await client.db().collection('users').countDocuments()
  })

  beforeAll(async () => {
    client = await MongoClient.connect(uri)
  })
  afterAll(async () => {
    await client.db().dropDatabase()
    await client.close()
  })

  it('creates the demo agency, both branded tenants and a user per role, then is idempotent', async () => {
    const first = await runScript('apply-tenants.ts', ['--demo-users'], env)
    expect(first.stderr).toBe('')
    expect(first.code).toBe(0)
    expect(first.stdout).toContain('tenant ava-fit: created')
    expect(first.stdout).toContain(
      'agencies 1 created/0 updated, tenants 2 created/0 updated, users 8 created/0 existing'
    )
    expect(await count()).toEqual({ agencies: 1, tenants: 2, users: 8 })

    const ava = await client.db().collection('tenants').findOne({ slug: 'ava-fit' })
    const agency = await client.db().collection('agencies').findOne({ slug: 'northstar-talent' })
    expect(ava).toMatchObject({
      name: 'Ava Fit Academy',
      agencyId: String(agency!._id),
      domains: ['academy.avafit.example'],
      theme: { colors: { primary: '#FF4F6D' }, copy: { callToAction: 'Save my seat' } }
    })
    expect(ava!.theme.logoUrl).toMatch(/^data:image\/svg\+xml;base64,/)
    const riley = await client
      .db()
      .collection('users')
      .findOne({ email: 'riley.sales@northstar-talent.test' })
    const marco = await client.db().collection('tenants').findOne({ slug: 'money-marco' })
    expect(riley).toMatchObject({ role: 'sales_rep', tenantIds: [String(marco!._id)] })
    expect(JSON.stringify(riley)).not.toContain('demo-sales-riley')

    const second = await runScript('apply-tenants.ts', ['--demo-users'], env)
    expect(second.code).toBe(0)
    expect(second.stdout).toContain(
      'agencies 0 created/1 updated, tenants 0 created/2 updated, users 0 created/8 existing'
    )
    expect(await count()).toEqual({ agencies: 1, tenants: 2, users: 8 })
    const avaAgain = await client.db().collection('tenants').findOne({ slug: 'ava-fit' })
    expect(String(avaAgain!._id)).toBe(String(ava!._id))
  })

  it('applies an edited pack to the existing tenant', async () => {
    const packsDir = join(mkdtempSync(join(tmpdir(), 'packs-edit-')), 'packs')
    cpSync(DEFAULT_PACKS_DIR, packsDir, { recursive: true })
    const file = join(packsDir, 'northstar-talent', 'money-marco', 'tenant.json')
    const pack = JSON.parse(readFileSync(file, 'utf8'))
    pack.name = 'Money Marco Academy'
    pack.theme.colors.primary = '#123456'
    writeFileSync(file, JSON.stringify(pack))

    const result = await runScript('apply-tenants.ts', ['--packs', packsDir], env)
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('tenant money-marco: updated')
    const marco = await client.db().collection('tenants').findOne({ slug: 'money-marco' })
    expect(marco).toMatchObject({ name: 'Money Marco Academy', theme: { colors: { primary: '#123456' } } })
    expect(await count()).toEqual({ agencies: 1, tenants: 2, users: 8 })
  })

  it('refuses a broken pack naming file and field, and writes nothing', async () => {
    const freshUri = scriptDatabaseUri('apply-tenants-broken')
    const packsDir = join(mkdtempSync(join(tmpdir(), 'packs-broken-')), 'packs')
    cpSync(DEFAULT_PACKS_DIR, packsDir, { recursive: true })
    const file = join(packsDir, 'northstar-talent', 'ava-fit', 'tenant.json')
    const pack = JSON.parse(readFileSync(file, 'utf8'))
    pack.currency = 'dollars'
    writeFileSync(file, JSON.stringify(pack))

    const result = await runScript('apply-tenants.ts', ['--packs', packsDir], scriptEnvironment(freshUri))
    expect(result.code).toBe(1)
    expect(result.stderr).toContain(
      `${join('packs', 'northstar-talent', 'ava-fit', 'tenant.json')} → currency:`
    )
    const fresh = await MongoClient.connect(freshUri)
    try {
      expect(await fresh.db().collection('tenants').countDocuments()).toBe(0)
      expect(await fresh.db().collection('agencies').countDocuments()).toBe(0)
    } finally {
      await fresh.db().dropDatabase()
      await fresh.close()
    }
  })
})
