// Test support: reads the outbox email provider's JSON records (one per message) for a recipient.
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

export interface OutboxMessage {
  to: string
  subject: string
  text: string
  tenantId?: string
  createdAt: string
}

export async function outboxMessagesTo(dir: string, to: string): Promise<OutboxMessage[]> {
  const names = await readdir(dir).catch(() => [] as string[])
  const messages = await Promise.all(
    names
      // Dot files are a message being written (the provider links the finished one into place).
      .filter((name) => name.endsWith('.json') && !name.startsWith('.'))
      .map(async (name) => JSON.parse(await readFile(join(dir, name), 'utf8')) as OutboxMessage)
  )
  return messages
    .filter((message) => message.to === to)
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
}

/** Waits for the `count`-th message to `to` (sending happens after the API answered) that `matches`. */
export async function waitForMessages(
  dir: string,
  to: string,
  count = 1,
  matches: (message: OutboxMessage) => boolean = () => true,
  timeoutMs = 10_000
): Promise<OutboxMessage[]> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const messages = (await outboxMessagesTo(dir, to)).filter(matches)
    if (messages.length >= count) return messages
    if (Date.now() > deadline)
      throw new Error(`expected ${count} message(s) to ${to}, found ${messages.length}`)
    await sleep(50)
  }
}

/** The sign-in link's token in a magic-link email. */
export function signInToken(message: OutboxMessage): string {
  const link = /https?:\/\/\S+\/signin\/link\?\S+/.exec(message.text)?.[0]
  if (!link) throw new Error(`no sign-in link in: ${message.text}`)
  const token = new URL(link).searchParams.get('token')
  if (!token) throw new Error(`no token in ${link}`)
  return token
}
