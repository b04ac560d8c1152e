// The create-agency/tenant/user scripts against a real database: success output and stored records,
// field-level errors for refused input, usage errors (exit 2) for wrong flags.
import { MongoClient } from 'mongodb'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runScript, scriptDatabaseUri, scriptEnvironment } from './support/run-script.ts'

describe('create scripts', { timeout: 120_000 }, () => {
  const uri = scriptDatabaseUri('create-scripts')
  const env = scriptEnvironment(uri)
  let client: MongoClient

  beforeAll(async () => {
    client = await MongoClient.connect(uri)
  })
  afterAll(async () => {
    await client.db().dropDatabase()
    await client.close()
  })

  it('creates an agency, refuses a duplicate slug, and stores exactly one', async () => {
    const created = await runScript(
      'create-agency.ts',
      ['--slug', 'acme-talent', '--name', 'Acme Talent'],
      env
    )
    expect(created.stderr).toBe('')
    expect(created.code).toBe(0)
    expect(created.stdout).toMatch(/✔ created agency acme-talent \(id [0-9a-f]{24}\)/)

    const again = await runScript('create-agency.ts', ['--slug', 'acme-talent', '--name', 'Acme Again'], env)
    expect(again.code).toBe(1)
    expect(again.stderr).toMatch(/acme-talent|already exists|taken/i)
    const agencies = await client.db().collection('agencies').find({ slug: 'acme-talent' }).toArray()
    expect(agencies).toHaveLength(1)
    expect(agencies[0].name).toBe('Acme Talent')
  })

  it('prints field errors for an invalid slug and writes nothing', async () => {
    const result = await runScript('create-agency.ts', ['--slug', 'Not A Slug', '--name', 'X'], env)
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('VALIDATION_FAILED')
    expect(result.stderr).toMatch(/^\s+slug: /m)
    expect(await client.db().collection('agencies').countDocuments({ name: 'X' })).toBe(0)
  })

  it('creates a tenant in an agency by slug, and names an unknown agency as a field error', async () => {
    const unknown = await runScript(
      'create-tenant.ts',
      ['--agency', 'ghost-agency', '--slug', 'ghost-tenant', '--name', 'Ghost'],
      env
    )
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toMatch(/agency: no agency with slug "ghost-agency"/)

    const created = await runScript(
      'create-tenant.ts',
      [
        '--agency',
        'acme-talent',
        '--slug',
        'yoga-yara',
        '--name',
        'Yoga with Yara',
        '--domain',
        'yoga.example.com'
      ],
      env
    )
    expect(created.stderr).toBe('')
    expect(created.stdout).toMatch(/✔ created tenant yoga-yara/)
    const agency = await client.db().collection('agencies').findOne({ slug: 'acme-talent' })
    const tenant = await client.db().collection('tenants').findOne({ slug: 'yoga-yara' })
    expect(tenant).toMatchObject({
      name: 'Yoga with Yara',
      agencyId: String(agency!._id),
      domains: ['yoga.example.com']
    })
  })

  it('creates a host for a tenant with a generated password that is stored hashed', async () => {
    const result = await runScript(
      'create-user.ts',
      [
        '--email',
        'Yara@Example.com',
        '--name',
        'Yara',
        '--role',
        'host',
        '--agency',
        'acme-talent',
        '--tenant',
        'yoga-yara'
      ],
      env
    )
    expect(result.stderr).toBe('')
    expect(result.stdout).toMatch(/✔ created host yara@example\.com/)
    const password = /generated password \(shown once\): (\S+)/.exec(result.stdout)?.[1]
    expect(password).toBeTruthy()
    const tenant = await client.db().collection('tenants').findOne({ slug: 'yoga-yara' })
    const user = await client.db().collection('users').findOne({ email: 'yara@example.com' })
    expect(user).toMatchObject({ role: 'host', tenantIds: [String(tenant!._id)] })
    expect(JSON.stringify(user)).not.toContain(password!)
  })

  it('rejects unknown flags, missing values and unknown roles with usage (exit 2)', async () => {
    const unknownFlag = await runScript(
      'create-agency.ts',
      ['--slug', 'x', '--name', 'X', '--colour', 'red'],
      env
    )
    expect(unknownFlag.code).toBe(2)
    expect(unknownFlag.stderr).toMatch(/Unknown option '--colour'/)
    expect(unknownFlag.stderr).toContain('Usage: npm run agency:create')

    const missing = await runScript('create-tenant.ts', ['--slug', 'x'], env)
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('Missing required options: --agency, --name')

    const role = await runScript(
      'create-user.ts',
      ['--email', 'a@b.co', '--name', 'A', '--role', 'boss'],
      env
    )
    expect(role.code).toBe(2)
    expect(role.stderr).toContain('--role must be one of platform_admin')
  })

  it('explains how to get a database when none is configured', async () => {
    const { MONGODB_URI: _, ...withoutDatabase } = env
    const result = await runScript('create-agency.ts', ['--slug', 'nodb', '--name', 'No DB'], withoutDatabase)
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('No database to work on: start the platform with `npm start`')
  })
})
