// Picks the email transport from configuration: SMTP in production, the local outbox otherwise.
import type { Connection } from 'mongoose'
import type { Logger } from 'pino'
import type { Config } from '../config/config.ts'
import type { EmailProvider } from './email-provider.ts'
import { createMongoEmailSentLog } from './email-sent-log.ts'
import { createOutboxEmailProvider } from './outbox-provider.ts'
import { createSmtpEmailProvider } from './smtp-provider.ts'

export function createEmailProvider(
  config: Pick<Config, 'email'>,
  logger: Logger,
  connection: Connection
): EmailProvider {
  const email = config.email
  if (email.provider === 'smtp') {
    if (!email.smtpUrl) throw new Error('config.email.smtpUrl is required for the smtp email provider')
    return createSmtpEmailProvider({
      smtpUrl: email.smtpUrl,
      from: email.from,
      logger,
      sentLog: createMongoEmailSentLog(connection)
    })
  }
  return createOutboxEmailProvider({ dir: email.outboxDir, from: email.from, logger })
}
