// Local email outbox for development, the demo and tests: each message becomes `<id>.json` (what was
// sent, for humans and tests) and `<id>.eml` (the full RFC 822 message, opens in any mail client).
import { createHash, randomUUID } from 'node:crypto'
import { link, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { SendMailOptions } from 'nodemailer'
import MailComposer from 'nodemailer/lib/mail-composer'
import type { Logger } from 'pino'
import { assertValidEmailMessage, toMailOptions } from './email-message.ts'
import type { EmailMessage, EmailProvider } from './email-provider.ts'

export interface OutboxEmailProviderOptions {
  dir: string
  from: string
  logger: Logger
}

/** The JSON record written for each message (attachments by name and size only). */
export interface OutboxRecord {
  messageId: string
  createdAt: string
  from: string
  to: string
  replyTo?: string
  subject: string
  text: string
  html?: string
  tenantId?: string
  idempotencyKey?: string
  attachments: { filename: string; contentType: string; size: number }[]
  /** File name of the .eml beside this record. */
  eml: string
}

export function createOutboxEmailProvider(options: OutboxEmailProviderOptions): EmailProvider {
  // Created once (and again if someone removes it while running), not with a mkdir call per message.
  let dirReady: Promise<unknown> | undefined
  const ensureDir = () => {
    dirReady ??= mkdir(options.dir, { recursive: true }).catch((error) => {
      dirReady = undefined
      throw error
    })
    return dirReady
  }
  const writeTemporary = async (tmp: string, record: OutboxRecord, eml: Buffer) => {
    await writeFile(`${tmp}.json`, JSON.stringify(record, null, 2))
    await writeFile(`${tmp}.eml`, eml)
  }
  return {
    name: 'outbox',
    async send(message: EmailMessage) {
      assertValidEmailMessage(message)
      await ensureDir()
      // The file name is the idempotency claim: derived from the key, so a retried send finds it. The
      // claim is link() below; no lookup first, since a repeated key is the rare case (a retry the
      // sender's own log did not catch) and link() decides it anyway.
      const id = message.idempotencyKey
        ? `key-${createHash('sha256').update(message.idempotencyKey).digest('hex').slice(0, 40)}`
        : `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID()}`
      const jsonPath = join(options.dir, `${id}.json`)

      const mailOptions = toMailOptions(message, options.from)
      const built = await compose(mailOptions)
      const record: OutboxRecord = {
        messageId: built.messageId,
        createdAt: new Date().toISOString(),
        from: String(mailOptions.from),
        to: message.to,
        replyTo: message.replyTo,
        subject: message.subject,
        text: message.text,
        html: message.html,
        tenantId: message.tenantId,
        idempotencyKey: message.idempotencyKey,
        attachments: (message.attachments ?? []).map((a) => ({
          filename: a.filename,
          contentType: a.contentType,
          size: a.content.length
        })),
        eml: `${id}.eml`
      }
      const tmp = join(options.dir, `.${id}.${randomUUID()}`)
      try {
        await writeTemporary(tmp, record, built.message)
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
        // The directory went away after it was made (a developer cleared the outbox): make it again.
        dirReady = undefined
        await ensureDir()
        await writeTemporary(tmp, record, built.message)
      }
      try {
        // link() fails if the target exists: two concurrent sends with one key cannot both win.
        await link(`${tmp}.json`, jsonPath)
      } catch (error) {
        await Promise.all([unlink(`${tmp}.json`), unlink(`${tmp}.eml`)])
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
        const winner = await readRecord(jsonPath)
        return { messageId: winner?.messageId ?? built.messageId, duplicate: true }
      }
      await unlink(`${tmp}.json`)
      await rename(`${tmp}.eml`, join(options.dir, `${id}.eml`))
      options.logger.info(
        { messageId: record.messageId, tenantId: record.tenantId, file: jsonPath },
        'email written to outbox'
      )
      return { messageId: record.messageId, duplicate: false }
    }
  }
}

/**
 * The RFC 822 message (CRLF line ends) and its Message-ID, from nodemailer's composer itself: a stream
 * transport around it (its plugins, a line-ending transform and a stream pipeline per message) doubled the
 * CPU of every email written here.
 */
function compose(options: SendMailOptions): Promise<{ message: Buffer; messageId: string }> {
  const mail = new MailComposer(options).compile()
  const messageId = mail.messageId()
  return new Promise((resolve, reject) =>
    mail.build((error, message) => (error ? reject(error) : resolve({ message, messageId })))
  )
}

async function readRecord(path: string): Promise<OutboxRecord | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as OutboxRecord
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
}
