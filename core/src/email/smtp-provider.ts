// SMTP email transport (nodemailer) for production, idempotent by `idempotencyKey` through the sent log.
import nodemailer from 'nodemailer'
import type { Logger } from 'pino'
import { conflict } from '../errors/codes.ts'
import { assertValidEmailMessage, toMailOptions } from './email-message.ts'
import type { EmailMessage, EmailProvider } from './email-provider.ts'
import type { EmailSentLog } from './email-sent-log.ts'

export interface SmtpEmailProviderOptions {
  /** smtp(s)://user:pass@host:port. Contains credentials: never logged. */
  smtpUrl: string
  from: string
  logger: Logger
  /** Required for idempotent sends; without it a message with an idempotencyKey is refused. */
  sentLog?: EmailSentLog
  /** Socket timeouts in ms (a hung server must not hold a job forever). */
  timeoutMs?: number
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1'])

/**
 * nodemailer's transport settings for an SMTP URL. `smtps:` is TLS from the start; `smtp:` must upgrade with
 * STARTTLS before credentials or mail are sent (otherwise a stripped STARTTLS offer would send AUTH in clear
 * text), except to a relay on this machine, which often offers no TLS.
 */
export function smtpTransportOptions(smtpUrl: string, timeoutMs: number) {
  const url = new URL(smtpUrl)
  const implicitTls = url.protocol === 'smtps:'
  return {
    host: url.hostname,
    port: Number(url.port || (implicitTls ? 465 : 587)),
    secure: implicitTls,
    requireTLS: !implicitTls && !LOOPBACK_HOSTS.has(url.hostname),
    auth: url.username
      ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) }
      : undefined,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    // nodemailer would otherwise log through its own logger, including the envelope.
    logger: false
  }
}

export function createSmtpEmailProvider(options: SmtpEmailProviderOptions): EmailProvider {
  const url = new URL(options.smtpUrl)
  const transport = nodemailer.createTransport(
    smtpTransportOptions(options.smtpUrl, options.timeoutMs ?? 30_000)
  )
  const server = `${url.hostname}:${url.port}`

  async function deliver(message: EmailMessage): Promise<string> {
    const info = await transport.sendMail(toMailOptions(message, options.from))
    options.logger.info(
      { messageId: info.messageId, tenantId: message.tenantId, server },
      'email sent over smtp'
    )
    return info.messageId
  }

  return {
    name: 'smtp',
    async send(message) {
      assertValidEmailMessage(message)
      const key = message.idempotencyKey
      if (!key) return { messageId: await deliver(message), duplicate: false }
      if (!options.sentLog) throw new Error('SMTP provider has no sent log: cannot honour idempotencyKey')
      const claim = await options.sentLog.claim(key)
      if (claim.kind === 'sent') return { messageId: claim.messageId, duplicate: true }
      if (claim.kind === 'in-progress')
        throw conflict('This email is being sent by another worker; retry later')
      let messageId: string
      try {
        messageId = await deliver(message)
      } catch (error) {
        await options.sentLog.release(key)
        options.logger.warn(
          { tenantId: message.tenantId, server, err: { message: (error as Error).message } },
          'smtp send failed'
        )
        throw error
      }
      await options.sentLog.markSent(key, messageId)
      return { messageId, duplicate: false }
    }
  }
}
