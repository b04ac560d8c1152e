// writeInfoLine writes exactly the line pino writes for the same fields (the access log's fast path), and
// only for loggers made by createLogger.
import { Writable } from 'node:stream'
import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { logRequest } from '../../src/app/access-log.ts'
import { writeInfoLine } from '../../src/logging/fast-info-line.ts'
import { createLogger } from '../../src/logging/logger.ts'

function capture(level = 'info') {
  const raw: string[] = []
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      raw.push(chunk.toString())
      callback()
    }
  })
  return { raw, logger: createLogger({ level, destination }) }
}

const withoutTime = (line: string) => {
  const { time, ...rest } = JSON.parse(line)
  expect(typeof time).toBe('number')
  return rest
}

describe('writeInfoLine', () => {
  it('writes the line pino writes, bindings of child loggers included, with awkward strings escaped', () => {
    const { raw, logger } = capture()
    const child = logger.child({ component: 'http', requestId: 'r-1' })
    const path = '/a "quoted"\\path\n\u2028é\u0001'
    const fields = { method: 'GET', path, status: 200, durationMs: 0.4 }
    child.info(fields, 'request')
    const json = `,"method":"GET","path":${JSON.stringify(path)},"status":200,"durationMs":0.4`
    expect(writeInfoLine(child, json, '"request"')).toBe(true)
    expect(raw).toHaveLength(2)
    expect(raw[1].endsWith('}\n')).toBe(true)
    expect(withoutTime(raw[1])).toEqual(withoutTime(raw[0]))
    expect(withoutTime(raw[1])).toMatchObject({ level: 30, component: 'http', path, msg: 'request' })
  })

  it('writes nothing when info is disabled, and declines loggers it did not make', () => {
    const { raw, logger } = capture('warn')
    expect(writeInfoLine(logger, ',"a":1', '"m"')).toBe(true)
    expect(raw).toHaveLength(0)
    expect(
      writeInfoLine(pino({ level: 'info' }, new Writable({ write: (_c, _e, cb) => cb() })), ',"a":1', '"m"')
    ).toBe(false)
  })
})

describe('logRequest', () => {
  const ctx = (status: number, requestId: unknown = 'req-12345678') => ({
    status,
    method: 'POST',
    path: '/leads/"x"',
    state: { requestId },
    feathers: { tenant: { slug: 'ava-fit' } }
  })

  it('writes one info line per request with the same fields through either path', () => {
    const { raw, logger } = capture()
    logRequest(logger, ctx(201), performance.now() - 2)
    const plain = pino({ level: 'info' }, { write: (line: string) => raw.push(line) } as any)
    logRequest(plain, ctx(201), performance.now() - 2)
    const [fast, slow] = raw.map((line) => JSON.parse(line))
    for (const line of [fast, slow]) {
      expect(line).toMatchObject({
        level: 30,
        requestId: 'req-12345678',
        method: 'POST',
        path: '/leads/"x"',
        status: 201,
        tenant: 'ava-fit',
        msg: 'request'
      })
      expect(line.durationMs).toBeGreaterThanOrEqual(1.5)
    }
  })

  it('logs server errors at error level and a request without an id through pino', () => {
    const { raw, logger } = capture()
    logRequest(logger, ctx(503), performance.now())
    logRequest(logger, ctx(200, null), performance.now())
    const [failed, noId] = raw.map((line) => JSON.parse(line))
    expect(failed).toMatchObject({ level: 50, status: 503, msg: 'request failed' })
    expect(noId).toMatchObject({ level: 30, status: 200, msg: 'request' })
    expect(noId.requestId ?? null).toBeNull()
  })
})
