// The SMTP provider against a real (tiny, local) SMTP server: what goes over the wire, and auth.
import pino from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import { createSmtpEmailProvider, smtpTransportOptions } from '../../src/email/smtp-provider.ts'
import { startTinySmtpServer, type TinySmtpServer } from './tiny-smtp-server.ts'

const logger = pino({ level: 'silent' })
let server: TinySmtpServer | undefined

afterEach(async () => {
  await server?.close()
  server = undefined
})

describe('smtp email provider', () => {
  it('requires STARTTLS before credentials on smtp:// to another machine, not to a local relay', () => {
    const remote = smtpTransportOptions('smtp://mailer:secret@mail.example.com', 1000)
    expect(remote).toMatchObject({ host: 'mail.example.com', port: 587, secure: false, requireTLS: true })
    expect(smtpTransportOptions('smtps://mailer:secret@mail.example.com', 1000)).toMatchObject({
      port: 465,
      secure: true,
      requireTLS: false
    })
    expect(smtpTransportOptions('smtp://127.0.0.1:2525', 1000).requireTLS).toBe(false)
    expect(smtpTransportOptions('smtp://localhost:25', 1000).requireTLS).toBe(false)
  })

  it('sends envelope, headers and body to the SMTP server', async () => {
    server = await startTinySmtpServer()
    const provider = createSmtpEmailProvider({
      smtpUrl: `smtp://127.0.0.1:${server.port}`,
      from: 'Masterstage <noreply@masterstage.test>',
      logger
    })
    const result = await provider.send({
      to: 'ada@example.com',
      subject: 'Welcome to the masterclass',
      text: 'See you on Tuesday.\n.A line starting with a dot',
      replyTo: 'host@creator.test',
      tenantId: 'tenant-7'
    })
    expect(result.duplicate).toBe(false)
    expect(server.messages).toHaveLength(1)
    const [message] = server.messages
    expect(message.mailFrom).toBe('noreply@masterstage.test')
    expect(message.rcptTo).toEqual(['ada@example.com'])
    expect(message.auth).toBeUndefined()
    expect(message.data).toContain('From: Masterstage <noreply@masterstage.test>')
    expect(message.data).toContain('To: ada@example.com')
    expect(message.data).toContain('Reply-To: host@creator.test')
    expect(message.data).toContain('Subject: Welcome to the masterclass')
    expect(message.data).toContain('X-Masterstage-Tenant: tenant-7')
    expect(message.data).toContain('See you on Tuesday.')
    expect(message.data).toContain('\n.A line starting with a dot')
    expect(message.data).toContain(`Message-ID: ${result.messageId}`)
  })

  it('authenticates with the credentials from SMTP_URL', async () => {
    server = await startTinySmtpServer({ auth: { user: 'mailer@masterstage.test', pass: 'p@ss:word' } })
    const provider = createSmtpEmailProvider({
      smtpUrl: `smtp://${encodeURIComponent('mailer@masterstage.test')}:${encodeURIComponent('p@ss:word')}@127.0.0.1:${server.port}`,
      from: 'noreply@masterstage.test',
      logger
    })
    await provider.send({ to: 'bob@example.com', subject: 'Hi', text: 'Hello' })
    expect(server.messages[0].auth).toEqual({ user: 'mailer@masterstage.test', pass: 'p@ss:word' })
  })

  it('fails when the credentials are wrong, and nothing is delivered', async () => {
    server = await startTinySmtpServer({ auth: { user: 'mailer', pass: 'right' } })
    const provider = createSmtpEmailProvider({
      smtpUrl: `smtp://mailer:wrong@127.0.0.1:${server.port}`,
      from: 'noreply@masterstage.test',
      logger
    })
    await expect(provider.send({ to: 'bob@example.com', subject: 'Hi', text: 'Hello' })).rejects.toThrow(
      /Invalid login|535/
    )
    expect(server.messages).toEqual([])
  })

  it('never writes the SMTP password into logs', async () => {
    server = await startTinySmtpServer({ auth: { user: 'mailer', pass: 'very-secret-password' } })
    const lines: string[] = []
    const capture = pino({ level: 'trace' }, { write: (line: string) => void lines.push(line) })
    const provider = createSmtpEmailProvider({
      smtpUrl: `smtp://mailer:very-secret-password@127.0.0.1:${server.port}`,
      from: 'noreply@masterstage.test',
      logger: capture
    })
    await provider.send({ to: 'bob@example.com', subject: 'Hi', text: 'Hello' })
    const bad = createSmtpEmailProvider({
      smtpUrl: `smtp://mailer:very-secret-password-2@127.0.0.1:${server.port}`,
      from: 'noreply@masterstage.test',
      logger: capture
    })
    await expect(bad.send({ to: 'bob@example.com', subject: 'Hi', text: 'Hello' })).rejects.toThrow()
    expect(lines.length).toBeGreaterThan(0)
    expect(lines.join('\n')).not.toContain('very-secret-password')
  })

  it('refuses an idempotent send when no sent log is configured', async () => {
    server = await startTinySmtpServer()
    const provider = createSmtpEmailProvider({
      smtpUrl: `smtp://127.0.0.1:${server.port}`,
      from: 'n@m.test',
      logger
    })
    await expect(
      provider.send({ to: 'a@example.com', subject: 's', text: 't', idempotencyKey: 'k' })
    ).rejects.toThrow(/no sent log/)
    expect(server.messages).toEqual([])
  })
})
