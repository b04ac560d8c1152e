// validateBody compiles its schemas when the hook is made and reports every problem as a field error
// (single and multi create); schemaErrors keeps handing out a list callers may extend.
import { Type } from '@feathersjs/typebox'
import { describe, expect, it } from 'vitest'
import { validateBody } from '../../src/data/validate-body.ts'
import { compiledSchema, schemaErrors } from '../../src/tenancy/schema-validation.ts'

const item = Type.Object(
  { title: Type.String({ minLength: 1 }), size: Type.Optional(Type.Number()) },
  { additionalProperties: false }
)

// A service that takes many records in one create (an adapter with `multi`).
const multiService = { allowsMulti: (method: string) => method === 'create' }

const run = async (method: string, data: unknown, self: object = multiService) => {
  let nextCalled = false
  await validateBody({ create: item, patch: Type.Partial(item) })({ method, data, self } as any, async () => {
    nextCalled = true
  })
  return nextCalled
}

describe('validateBody', () => {
  it('lets valid data through, one item or many', async () => {
    expect(await run('create', { title: 'a' })).toBe(true)
    expect(await run('create', [{ title: 'a' }, { title: 'b', size: 2 }])).toBe(true)
    expect(await run('patch', { size: 3 })).toBe(true)
    // No schema for the method: nothing to check.
    expect(await run('update', { anything: true })).toBe(true)
  })

  it('refuses invalid data with a 400 listing every field error, indexed for many', async () => {
    await expect(run('create', { title: '', extra: 1 })).rejects.toMatchObject({
      code: 400,
      data: { code: 'VALIDATION_FAILED' },
      errors: [
        { path: 'extra', message: 'is not an allowed field' },
        { path: 'title', message: 'must NOT have fewer than 1 characters' }
      ]
    })
    await expect(run('create', [{ title: 'ok' }, { size: 'big' }])).rejects.toMatchObject({
      errors: expect.arrayContaining([
        { path: '1.title', message: "must have required property 'title'" },
        expect.objectContaining({ path: '1.size' })
      ])
    })
  })
})

describe('validateBody and lists', () => {
  it('refuses a list where the method or service takes one record', async () => {
    const single = { allowsMulti: () => false }
    for (const [method, self] of [
      ['create', single],
      ['create', {}],
      ['patch', multiService]
    ] as const) {
      await expect(run(method, [{ title: 'a' }], self)).rejects.toMatchObject({
        code: 400,
        data: { code: 'VALIDATION_FAILED' },
        errors: [{ path: '', message: 'must be one object, not a list' }]
      })
    }
  })
})

describe('validateBody for custom methods', () => {
  it('checks a custom method s data by its name and leaves other methods alone', async () => {
    const resend = Type.Object({ invoiceId: Type.String() }, { additionalProperties: false })
    const hook = validateBody({ resend })
    const call = async (method: string, data: unknown) => {
      let nextCalled = false
      await hook({ method, data } as any, async () => {
        nextCalled = true
      })
      return nextCalled
    }
    expect(await call('resend', { invoiceId: 'inv-1' })).toBe(true)
    await expect(call('resend', { invoiceId: 'inv-1', to: 'x@example.com' })).rejects.toMatchObject({
      code: 400,
      data: { code: 'VALIDATION_FAILED' },
      errors: [{ path: 'to', message: 'is not an allowed field' }]
    })
    expect(await call('create', { anything: true })).toBe(true)
  })
})

describe('schema checks', () => {
  it('compiles a schema once and answers valid data with no errors', () => {
    expect(compiledSchema(item)).toBe(compiledSchema(item))
    expect(compiledSchema(item)({ title: 'x' })).toHaveLength(0)
  })

  it('schemaErrors returns a list of its own, even when valid', () => {
    const errors = schemaErrors(item, { title: 'x' })
    errors.push({ path: 'endTime', message: 'must be after startTime' })
    expect(schemaErrors(item, { title: 'x' })).toEqual([])
  })
})
