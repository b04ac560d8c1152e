// Durable record of idempotency keys already sent over SMTP (collection `email_sent_log`).
// Trade-off: the key is claimed before sending. A crash after the SMTP server accepted the message but
// before it is marked sent leaves a claim that expires after `leaseMs`, and the retry sends again: at
// most one duplicate in that narrow window, never a lost email. (Redis SETNX would be cheaper but Redis
// here is not durable, so a restart could forget keys; MongoDB is the system of record.)

import type { Connection } from 'mongoose'
import { isDuplicateKeyError } from '../data/duplicate-key.ts'

export type SentLogClaim = { kind: 'claimed' } | { kind: 'sent'; messageId: string } | { kind: 'in-progress' }

export interface EmailSentLog {
  claim(key: string): Promise<SentLogClaim>
  markSent(key: string, messageId: string): Promise<void>
  /** Gives the key back after a failed send so a retry can send. */
  release(key: string): Promise<void>
}

interface SentLogDocument {
  _id: string
  status: 'sending' | 'sent'
  leaseUntil?: Date
  messageId?: string
  sentAt?: Date
}

export const EMAIL_SENT_LOG_COLLECTION = 'email_sent_log'

export function createMongoEmailSentLog(connection: Connection, leaseMs = 60_000): EmailSentLog {
  const collection = () => connection.collection<SentLogDocument>(EMAIL_SENT_LOG_COLLECTION)
  return {
    async claim(key) {
      const now = new Date()
      try {
        await collection().insertOne({
          _id: key,
          status: 'sending',
          leaseUntil: new Date(now.getTime() + leaseMs)
        })
        return { kind: 'claimed' }
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error
      }
      const existing = await collection().findOne({ _id: key })
      if (existing?.status === 'sent') return { kind: 'sent', messageId: existing.messageId ?? '' }
      // An expired claim belongs to a sender that died mid-send: take it over.
      const takeover = await collection().updateOne(
        { _id: key, status: 'sending', leaseUntil: { $lte: now } },
        { $set: { leaseUntil: new Date(now.getTime() + leaseMs) } }
      )
      return takeover.modifiedCount === 1 ? { kind: 'claimed' } : { kind: 'in-progress' }
    },
    async markSent(key, messageId) {
      await collection().updateOne(
        { _id: key },
        { $set: { status: 'sent', messageId, sentAt: new Date() }, $unset: { leaseUntil: '' } }
      )
    },
    async release(key) {
      await collection().deleteOne({ _id: key, status: 'sending' })
    }
  }
}
