// Checks an EmailMessage and maps it to nodemailer's options; shared by every provider.
import type { SendMailOptions } from 'nodemailer'
import { type FieldError, validationError } from '../errors/codes.ts'
import type { EmailMessage } from './email-provider.ts'

// Deliberately loose (one @, no spaces): the SMTP server is the authority; this catches obvious mistakes.
const ADDRESS = /^[^\s@<>]+@[^\s@<>]+$/

export function assertValidEmailMessage(message: EmailMessage): void {
  const errors: FieldError[] = []
  if (typeof message.to !== 'string' || !ADDRESS.test(message.to)) {
    errors.push({ path: 'to', message: 'must be one email address' })
  }
  if (typeof message.subject !== 'string' || message.subject.trim() === '') {
    errors.push({ path: 'subject', message: 'is required' })
  } else if (/[\r\n]/.test(message.subject)) {
    errors.push({ path: 'subject', message: 'must be a single line' })
  }
  if (typeof message.text !== 'string' || message.text === '')
    errors.push({ path: 'text', message: 'is required' })
  if (message.from !== undefined && !ADDRESS.test(extractAddress(message.from))) {
    errors.push({ path: 'from', message: 'must be an email address, optionally "Name <address>"' })
  }
  if (message.replyTo !== undefined && !ADDRESS.test(extractAddress(message.replyTo))) {
    errors.push({ path: 'replyTo', message: 'must be an email address' })
  }
  if (
    message.idempotencyKey !== undefined &&
    (typeof message.idempotencyKey !== 'string' || !message.idempotencyKey)
  ) {
    errors.push({ path: 'idempotencyKey', message: 'must be a non-empty string' })
  }
  if (errors.length) throw validationError('Invalid email message', errors)
}

function extractAddress(value: string): string {
  const match = /<([^>]+)>\s*$/.exec(value)
  return (match ? match[1] : value).trim()
}

export function toMailOptions(message: EmailMessage, defaultFrom: string): SendMailOptions {
  return {
    from: message.from ?? defaultFrom,
    to: message.to,
    replyTo: message.replyTo,
    subject: message.subject,
    text: message.text,
    html: message.html,
    attachments: message.attachments?.map((attachment) => ({
      filename: attachment.filename,
      contentType: attachment.contentType,
      content: attachment.content
    })),
    headers: message.tenantId ? { 'X-Masterstage-Tenant': message.tenantId } : undefined
  }
}
