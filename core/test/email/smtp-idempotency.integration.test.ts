// SMTP sends are idempotent by key through the MongoDB sent log: concurrent and retried sends deliver
// once; a failed send releases the key so the retry goes out; an expired claim can be taken over.
import type { Connection } from 'mongoose'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectDatabase } from '../../src/data/connect.ts'
import { createMongoEmailSentLog, EMAIL_SENT_LOG_COLLECTION } from '../../src/email/email-sent-log.ts'
import { createSmtpEmailProvider } from '../../src/email/smtp-provider.ts'
import { testDatabaseUri } from '../support/database.ts'
import { startTinySmtpServer, type TinySmtpServer } from './tiny-smtp-server.ts'

const logger = pino({ level: 'silent' })
let connection: Connection
let server: TinySmtpServer

beforeAll(async () => {
  connection = await connectDatabase(testDatabaseUri('smtp-idempotency'))
  server = await startTinySmtpServer()
})
afterAll(async () => {
  await server?.close()
  await connection?.dropDatabase().catch(() => undefined)
  await connection?.close()
})

function provider(leaseMs = 60_000) {
  return createSmtpEmailProvider({
    smtpUrl: `smtp://127.0.0.1:${server.port}`,
    from: 'noreply@masterstage.test',
    logger,
    sentLog: createMongoEmailSentLog(connection, leaseMs)
  })
}

const sentTo = (address: string) =>
  server.messages.filter((message) => message.rcptTo.includes(address)).length

describe('smtp idempotency', () => {
  it('delivers once per key across retries and concurrent senders', async () => {
    const message = {
      to: 'once@example.com',
      subject: 'Receipt',
      text: 'Paid',
      idempotencyKey: 'receipt:pay_1'
    }
    const first = await provider().send(message)
    const retry = await provider().send(message)
    expect(first.duplicate).toBe(false)
    expect(retry).toEqual({ messageId: first.messageId, duplicate: true })
    expect(sentTo('once@example.com')).toBe(1)

    const concurrent = { ...message, to: 'race@example.com', idempotencyKey: 'receipt:pay_2' }
    const results = await Promise.allSettled([
      provider().send(concurrent),
      provider().send(concurrent),
      provider().send(concurrent)
    ])
    expect(sentTo('race@example.com')).toBe(1)
    // Losers either see the finished send (duplicate) or are told to retry later (409), never a second email.
    for (const result of results) {
      if (result.status === 'rejected')
        expect(result.reason).toMatchObject({ code: 409, data: { code: 'CONFLICT' } })
    }
    expect(results.filter((result) => result.status === 'fulfilled' && !result.value.duplicate)).toHaveLength(
      1
    )
  })

  it('releases the key when the SMTP server refuses, so the retry is sent', async () => {
    const message = {
      to: 'retry@example.com',
      subject: 'Invoice',
      text: 'Due',
      idempotencyKey: 'invoice:inv_9'
    }
    server.failNextData(1)
    await expect(provider().send(message)).rejects.toThrow(/451|Temporary failure/)
    expect(
      await connection.collection(EMAIL_SENT_LOG_COLLECTION).findOne({ _id: 'invoice:inv_9' as any })
    ).toBeNull()
    const retried = await provider().send(message)
    expect(retried.duplicate).toBe(false)
    expect(sentTo('retry@example.com')).toBe(1)
    expect(
      await connection.collection(EMAIL_SENT_LOG_COLLECTION).findOne({ _id: 'invoice:inv_9' as any })
    ).toMatchObject({
      status: 'sent',
      messageId: retried.messageId
    })
  })

  it('takes over a claim whose sender died mid-send once the lease expired', async () => {
    const log = createMongoEmailSentLog(connection, 200)
    expect(await log.claim('welcome:u1')).toEqual({ kind: 'claimed' })
    // The first sender never finishes; a second one is refused while the lease holds...
    await expect(
      provider(200).send({ to: 'late@example.com', subject: 'Hi', text: 'x', idempotencyKey: 'welcome:u1' })
    ).rejects.toMatchObject({
      code: 409
    })
    await new Promise((resolve) => setTimeout(resolve, 250))
    // ...and sends once it expired.
    const sent = await provider(200).send({
      to: 'late@example.com',
      subject: 'Hi',
      text: 'x',
      idempotencyKey: 'welcome:u1'
    })
    expect(sent.duplicate).toBe(false)
    expect(sentTo('late@example.com')).toBe(1)
  })
})
