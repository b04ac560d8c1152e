// Contract every email transport implements (SMTP in production, a local outbox for the demo and tests).
export interface EmailMessage {
  to: string
  subject: string
  text: string
  html?: string
  /** Tenant whose brand sends the message (from-name, reply-to). */
  tenantId?: string
  from?: string
  replyTo?: string
  attachments?: readonly { filename: string; contentType: string; content: Buffer }[]
  /** Makes a retried send a no-op: the same key is delivered once. */
  idempotencyKey?: string
}

export interface EmailProvider {
  readonly name: string
  send(message: EmailMessage): Promise<{ messageId: string; duplicate: boolean }>
}
