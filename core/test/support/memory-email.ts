// Test double of the email provider contract: keeps sent messages in memory and honours idempotency keys
// the way the real providers do (a repeated key is answered as a duplicate and not sent again).
import type { EmailMessage, EmailProvider } from '../../src/email/email-provider.ts'

export class MemoryEmailProvider implements EmailProvider {
  readonly name = 'memory'
  readonly sent: EmailMessage[] = []
  readonly #keys = new Set<string>()

  async send(message: EmailMessage) {
    const key = message.idempotencyKey
    const duplicate = key !== undefined && this.#keys.has(key)
    if (key !== undefined) this.#keys.add(key)
    if (!duplicate) this.sent.push(message)
    return { messageId: `m${this.sent.length}`, duplicate }
  }
}
