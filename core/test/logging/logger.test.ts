// Logger: structured JSON lines, request id on child loggers, secrets redacted at any depth.
import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { createLogger, redactSecrets, requestLogger } from '../../src/logging/logger.ts'

function capture() {
  const lines: any[] = []
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(JSON.parse(chunk.toString()))
      callback()
    }
  })
  return { lines, logger: createLogger({ level: 'debug', destination }) }
}

describe('createLogger', () => {
  it('redacts credentials, tokens, keys and tenant secrets at any depth without mutating the input', () => {
    const { lines, logger } = capture()
    const payload = {
      req: { headers: { authorization: 'Bearer abc.def', cookie: 'sid=1', accept: 'json' } },
      user: { email: 'a@b.test', password: 'pw-1', passwordHash: 'hash-1' },
      tenant: {
        plugins: { payments: { secrets: { stripeSecretKey: 'sk_live_1' }, settings: { currency: 'eur' } } }
      },
      stripeWebhookKey: 'whsec_1',
      oauth: { accessToken: 'at-1', refreshToken: 'rt-1', tokenType: 'bearer' },
      deep: [{ apiKey: 'k-1' }, { nested: { clientSecret: 'cs-1' } }],
      config: { mongoUri: 'mongodb://u:p@h/db', jwtSecret: 'j-1', encryptionKey: 'e-1' }
    }
    logger.info(payload, 'hello')
    const text = JSON.stringify(lines[0])
    for (const secret of [
      'abc.def',
      'sid=1',
      'pw-1',
      'hash-1',
      'sk_live_1',
      'whsec_1',
      'at-1',
      'rt-1',
      'k-1',
      'cs-1',
      'u:p',
      'j-1',
      'e-1'
    ]) {
      expect(text).not.toContain(secret)
    }
    expect(lines[0]).toMatchObject({
      msg: 'hello',
      user: { email: 'a@b.test' },
      tenant: { plugins: { payments: { settings: { currency: 'eur' } } } },
      req: { headers: { accept: 'json' } }
    })
    expect(payload.user.password).toBe('pw-1')
  })

  it('adds the request id to every line of a request logger and honours the level', () => {
    const { lines, logger } = capture()
    const child = requestLogger(logger, 'req-42', { tenant: 'ava-fit' })
    child.debug({ step: 1 }, 'working')
    child.trace('not logged at debug level')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatchObject({ requestId: 'req-42', tenant: 'ava-fit', step: 1, level: 20 })
  })

  it('serialises errors with message and stack', () => {
    const { lines, logger } = capture()
    logger.error({ err: new Error('boom') }, 'failed')
    expect(lines[0].err).toMatchObject({ type: 'Error', message: 'boom' })
    expect(lines[0].err.stack).toContain('boom')
  })
})

describe('error serialization', () => {
  it('redacts secret properties carried by logged errors and token hashes', () => {
    const { lines, logger } = capture()
    const error = Object.assign(new Error('upstream refused'), {
      password: 'pw-err',
      config: { headers: { authorization: 'Bearer err-token' } }
    })
    logger.error({ err: error, user: { resetTokenHash: 'reset-hash-1' } }, 'failed')
    const text = JSON.stringify(lines[0])
    expect(lines[0].err.message).toBe('upstream refused')
    for (const secret of ['pw-err', 'err-token', 'reset-hash-1']) expect(text).not.toContain(secret)
  })

  it('passes a flat line with nothing secret through as it is, and still redacts secret keys of flat lines', () => {
    const line = {
      requestId: 'r-1',
      method: 'GET',
      path: '/items/1',
      status: 200,
      durationMs: 1.2,
      tenant: undefined
    }
    expect(redactSecrets(line)).toBe(line)
    const withToken = { requestId: 'r-2', accessToken: 'abc.def.ghi', status: 200 }
    expect(redactSecrets(withToken)).toEqual({ requestId: 'r-2', accessToken: '[redacted]', status: 200 })
    expect(withToken.accessToken).toBe('abc.def.ghi')
    const { lines, logger } = capture()
    logger.info({ requestId: 'r-3', password: 'flat-secret' }, 'flat')
    expect(JSON.stringify(lines[0])).not.toContain('flat-secret')
  })
})
