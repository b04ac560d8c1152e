// The default destination writes asynchronously (no write syscall per line on the request path), yet no
// line is lost: they are all out after flushLogger, and also when the process exits right after logging.
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const loggerModule = fileURLToPath(new URL('../../src/logging/logger.ts', import.meta.url))
const node = process.execPath

function runScript(body: string) {
  const script = `import { createLogger, flushLogger } from ${JSON.stringify(loggerModule)}\n${body}`
  return spawnSync(node, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 })
}

const lines = (stdout: string) =>
  stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line))

describe('default (asynchronous) log destination', () => {
  it('writes every line, redacted, by the time flushLogger resolves', () => {
    const result = runScript(`
      const logger = createLogger({ level: 'info' })
      for (let i = 0; i < 2000; i++) logger.info({ requestId: 'r' + i, authorization: 'Bearer secret-x' }, 'request')
      await flushLogger(logger)
      process.stderr.write('flushed\\n')
      setInterval(() => {}, 1000).unref()
    `)
    expect(result.status, result.stderr).toBe(0)
    const written = lines(result.stdout)
    expect(written).toHaveLength(2000)
    expect(written[1999]).toMatchObject({ requestId: 'r1999', msg: 'request' })
    expect(result.stdout).not.toContain('secret-x')
  })

  it('loses no line when the process exits right after logging', () => {
    const result = runScript(`
      const logger = createLogger({ level: 'info' })
      for (let i = 0; i < 2000; i++) logger.info({ n: i }, 'line')
      process.exit(3)
    `)
    expect(result.status).toBe(3)
    const written = lines(result.stdout)
    expect(written).toHaveLength(2000)
    expect(written.map((line) => line.n)).toEqual(Array.from({ length: 2000 }, (_, i) => i))
  })
})
