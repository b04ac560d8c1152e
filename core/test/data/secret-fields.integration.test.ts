// Secret fields at any depth: nested objects, subdocument arrays and populated documents never leave
// the server through toJSON/toObject or lean results, while server code can still select them.
import { type Connection, Schema } from 'mongoose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runAsSystem } from '../../src/context/request-scope.ts'
import { connectDatabase } from '../../src/data/connect.ts'
import { secretPathsOf, stripSecretFields } from '../../src/data/secret-fields.ts'
import { tenantScopedPlugin } from '../../src/data/tenant-scoped-plugin.ts'
import { testDatabaseUri } from '../support/database.ts'

let connection: Connection
let Account: any
let Owner: any

const asTenant = <T>(fn: () => Promise<T>) => runAsSystem('secret-test', 'tenant-s', fn)

beforeAll(async () => {
  connection = await connectDatabase(testDatabaseUri('secret_fields'))
  const identity = new Schema(
    { provider: String, accessToken: { type: String, secret: true } },
    { _id: false }
  )
  const accountSchema = new Schema({
    email: String,
    passwordHash: { type: String, secret: true },
    identities: [identity],
    billing: { plan: String, stripeKey: { type: String, secret: true } }
  })
  accountSchema.plugin(tenantScopedPlugin)
  const ownerSchema = new Schema({
    name: String,
    account: { type: Schema.Types.ObjectId, ref: 'SecretAccount' }
  })
  ownerSchema.plugin(tenantScopedPlugin)
  Account = connection.model('SecretAccount', accountSchema)
  Owner = connection.model('SecretOwner', ownerSchema)
})

afterAll(async () => {
  await connection?.dropDatabase().catch(() => {})
  await connection?.close()
})

describe('secret fields', () => {
  it('lists secret paths including nested and subdocument ones', () => {
    expect([...secretPathsOf(Account.schema)].sort()).toEqual([
      'billing.stripeKey',
      'identities.accessToken',
      'passwordHash'
    ])
  })

  it('strips them from toJSON of documents, subdocuments and populated documents', async () => {
    const account: any = await asTenant(() =>
      Account.create({
        email: 'a@s.test',
        passwordHash: 'hash-1',
        identities: [{ provider: 'google', accessToken: 'tok-1' }],
        billing: { plan: 'pro', stripeKey: 'sk-1' }
      })
    )
    const direct = JSON.stringify(account)
    for (const secret of ['hash-1', 'tok-1', 'sk-1']) expect(direct).not.toContain(secret)
    expect(account.toObject()).toMatchObject({
      email: 'a@s.test',
      identities: [{ provider: 'google' }],
      billing: { plan: 'pro' }
    })

    await asTenant(() => Owner.create({ name: 'Owner', account: account._id }))
    const owner = await asTenant(async () =>
      Owner.findOne({ name: 'Owner' }).populate({ path: 'account', select: '+passwordHash' })
    )
    expect(owner.account.passwordHash).toBe('hash-1')
    expect(JSON.stringify(owner)).not.toContain('hash-1')
  })

  it('are not selected in lean reads, and stripSecretFields cleans explicit selections', async () => {
    const lean = await asTenant(async () => Account.findOne({ email: 'a@s.test' }).lean())
    expect(lean).not.toHaveProperty('passwordHash')
    expect(lean.identities[0]).not.toHaveProperty('accessToken')
    const explicit = await asTenant(async () =>
      Account.findOne({ email: 'a@s.test' }).select('+passwordHash +identities.accessToken').lean()
    )
    expect(explicit.passwordHash).toBe('hash-1')
    const cleaned = stripSecretFields(Account.schema, explicit)
    expect(JSON.stringify(cleaned)).not.toMatch(/hash-1|tok-1|sk-1/)
  })
})
