// The local outbox provider: one .json + .eml per message, idempotent by key, bad input refused.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createOutboxEmailProvider, type OutboxRecord } from '../../src/email/outbox-provider.ts'

const logger = pino({ level: 'silent' })
let dir: string

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ms-outbox-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('outbox email provider', () => {
  it('writes the message as JSON and as a full .eml', async () => {
    const provider = createOutboxEmailProvider({
      dir,
      from: 'Masterstage <noreply@masterstage.test>',
      logger
    })
    const result = await provider.send({
      to: 'ada@example.com',
      subject: 'Your invoice',
      text: 'Hello Ada, your invoice is attached.',
      html: '<p>Hello Ada</p>',
      tenantId: 'tenant-1',
      attachments: [
        { filename: 'invoice.pdf', contentType: 'application/pdf', content: Buffer.from('%PDF-1.4') }
      ]
    })
    expect(result.duplicate).toBe(false)
    const files = (await readdir(dir)).sort()
    expect(files).toHaveLength(2)
    const json = files.find((file) => file.endsWith('.json'))!
    const record = JSON.parse(await readFile(join(dir, json), 'utf8')) as OutboxRecord
    expect(record).toMatchObject({
      messageId: result.messageId,
      from: 'Masterstage <noreply@masterstage.test>',
      to: 'ada@example.com',
      subject: 'Your invoice',
      text: 'Hello Ada, your invoice is attached.',
      tenantId: 'tenant-1',
      attachments: [{ filename: 'invoice.pdf', contentType: 'application/pdf', size: 8 }]
    })
    const eml = await readFile(join(dir, record.eml), 'utf8')
    expect(eml).toContain('To: ada@example.com')
    expect(eml).toContain('Subject: Your invoice')
    expect(eml).toContain('X-Masterstage-Tenant: tenant-1')
    expect(eml).toContain('Hello Ada, your invoice is attached.')
    expect(eml).toContain('filename=invoice.pdf')
  })

  it('delivers a message once per idempotency key, even when sent concurrently', async () => {
    const provider = createOutboxEmailProvider({ dir, from: 'noreply@masterstage.test', logger })
    const message = {
      to: 'bob@example.com',
      subject: 'Receipt',
      text: 'Paid.',
      idempotencyKey: 'receipt:pay_123'
    }
    const results = await Promise.all([
      provider.send(message),
      provider.send(message),
      provider.send(message)
    ])
    const again = await provider.send(message)
    expect(results.filter((result) => !result.duplicate)).toHaveLength(1)
    expect(again.duplicate).toBe(true)
    const first = results.find((result) => !result.duplicate)!
    expect(new Set([...results, again].map((result) => result.messageId))).toEqual(new Set([first.messageId]))
    const files = (await readdir(dir)).filter((file) => !file.startsWith('.'))
    expect(files.filter((file) => file.endsWith('.json'))).toHaveLength(1)
    expect(files.filter((file) => file.endsWith('.eml'))).toHaveLength(1)
    expect((await readdir(dir)).filter((file) => file.startsWith('.'))).toEqual([])
  })

  it('sends different keys separately', async () => {
    const provider = createOutboxEmailProvider({ dir, from: 'noreply@masterstage.test', logger })
    await provider.send({ to: 'a@example.com', subject: 'One', text: '1', idempotencyKey: 'k1' })
    await provider.send({ to: 'a@example.com', subject: 'Two', text: '2', idempotencyKey: 'k2' })
    expect((await readdir(dir)).filter((file) => file.endsWith('.json'))).toHaveLength(2)
  })

  it('makes the outbox directory again when it is removed while the provider runs', async () => {
    const outbox = join(dir, 'nested', 'outbox')
    const provider = createOutboxEmailProvider({ dir: outbox, from: 'noreply@masterstage.test', logger })
    await provider.send({ to: 'a@example.com', subject: 'One', text: '1', idempotencyKey: 'k1' })
    await rm(join(dir, 'nested'), { recursive: true })
    const again = await provider.send({
      to: 'a@example.com',
      subject: 'Two',
      text: '2',
      idempotencyKey: 'k2'
    })
    expect(again.duplicate).toBe(false)
    expect((await readdir(outbox)).filter((file) => file.endsWith('.json'))).toHaveLength(1)
  })

  it('refuses an invalid message with field-level errors and writes nothing', async () => {
    const provider = createOutboxEmailProvider({ dir, from: 'noreply@masterstage.test', logger })
    const attempt = provider.send({ to: 'not-an-address', subject: 'Line\nbreak', text: '' })
    await expect(attempt).rejects.toMatchObject({
      code: 400,
      data: { code: 'VALIDATION_FAILED' },
      errors: [
        { path: 'to', message: 'must be one email address' },
        { path: 'subject', message: 'must be a single line' },
        { path: 'text', message: 'is required' }
      ]
    })
    expect(await readdir(dir)).toEqual([])
  })
})
