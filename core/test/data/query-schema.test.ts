// Closed query schemas and the client data guard, unit level: what is allowed, and that every
// refusal names the offending path.
import { describe, expect, it } from 'vitest'
import { checkClientData } from '../../src/data/data-guard.ts'
import { checkQuery, defineQuerySchema } from '../../src/data/query-schema.ts'

const schema = defineQuerySchema({
  fields: { status: ['$in', '$ne'], createdAt: ['$gte', '$lte'], email: [] },
  sort: ['createdAt'],
  select: ['status', 'email', 'createdAt']
})
const secretPaths = ['passwordHash', 'identities.accessToken']
const paths = (query: unknown) => checkQuery(query, schema, { secretPaths }).map((e) => e.path)

describe('checkQuery', () => {
  it('allows whitelisted fields, operators, sort, select and paging', () => {
    expect(
      paths({
        status: { $in: ['open', 'won'] },
        createdAt: { $gte: '2026-01-01', $lte: new Date() },
        email: 'a@b.test',
        $or: [{ status: 'open' }, { email: 'x@y.test' }],
        $sort: { createdAt: -1 },
        $select: ['status'],
        $limit: '10',
        $skip: 0
      })
    ).toEqual([])
  })

  it('refuses unknown fields, operators not listed and every raw MongoDB operator', () => {
    expect(paths({ tenantId: { $ne: 'x' } })).toEqual(['tenantId'])
    expect(paths({ email: { $ne: null } })).toEqual(['email.$ne'])
    expect(paths({ email: { $regex: '.*' } })).toEqual(['email.$regex'])
    expect(paths({ $where: 'sleep(1)', $expr: {}, $nor: [], $text: {} })).toEqual([
      '$where',
      '$expr',
      '$nor',
      '$text'
    ])
    expect(paths({ $or: [{ passwordHash: 'x' }] })).toEqual(['$or.0.passwordHash'])
    expect(paths({ $or: [{ $or: [{ $or: [{ status: 'a' }] }] }] })).toEqual(['$or.0.$or.0.$or'])
  })

  it('refuses objects where values are expected', () => {
    expect(paths({ status: { $ne: { $gt: '' } } })).toEqual(['status.$ne'])
    expect(paths({ status: { $in: [{ $gt: '' }] } })).toEqual(['status.$in'])
    expect(paths({ email: { nested: 1 } })).toEqual(['email.nested'])
    expect(paths({ status: ['a', 'b'] })).toEqual(['status'])
  })

  it('refuses secret fields in select, sort and filters, and bad paging', () => {
    expect(paths({ $select: ['passwordHash', 'identities'] })).toEqual(['$select', '$select'])
    expect(paths({ $sort: { email: 1 } })).toEqual(['$sort.email'])
    expect(paths({ $sort: { createdAt: 2 } })).toEqual(['$sort.createdAt'])
    expect(paths({ $limit: -1, $skip: 'x' })).toEqual(['$limit', '$skip'])
    expect(paths({ $populate: 'owner' })).toEqual(['$populate'])
  })
})

describe('checkClientData', () => {
  it('refuses operator keys and dotted keys at any depth, tenantId and server ids', () => {
    const errors = checkClientData(
      { $set: { a: 1 }, 'a.b': 1, nested: { deep: [{ $gt: 1 }] }, tenantId: 't', _id: 'x' },
      'patch',
      {},
      'y'
    )
    expect(errors.map((e) => e.path).sort()).toEqual(
      ['$set', '_id', 'a.b', 'nested.deep.0.$gt', 'tenantId'].sort()
    )
  })

  it('prefixes batch item errors with their index and refuses secret paths', () => {
    const errors = checkClientData([{ name: 'ok' }, { passwordHash: 'x' }], 'create', { secretPaths })
    expect(errors).toEqual([{ path: '1.passwordHash', message: 'cannot be written directly' }])
    expect(checkClientData({ identities: [{ accessToken: 'x' }] }, 'patch', { secretPaths })).toHaveLength(1)
  })

  it('accepts ordinary data and the same _id on update', () => {
    expect(checkClientData({ name: 'a', address: { city: 'b' }, tags: ['x'] }, 'create')).toEqual([])
    expect(checkClientData({ _id: 'abc', name: 'a' }, 'update', {}, 'abc')).toEqual([])
  })
})
