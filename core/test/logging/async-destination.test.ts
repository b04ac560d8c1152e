// The default destination writes in batches (no write syscall per line on the request path), yet no
// line is lost: they are all out after flushLogger, when the process exits right after logging or ends on
// its own, and a line is out within the batch delay without any flush.
import { spawnSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const loggerModule = fileURLToPath(new URL('../../src/logging/logger.ts', import.meta.url))
const node = process.execPath

function runScript(body: string) {
  const script = `import { asyncDestination, createLogger, flushLogger } from ${JSON.stringify(loggerModule)}\nimport { readFileSync } from 'node:fs'\n${body}`
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

  it('loses no line when the process ends on its own with a batch still waiting for its timer', () => {
    const result = runScript(`
      const logger = createLogger({ level: 'info' })
      for (let i = 0; i < 3; i++) logger.info({ n: i }, 'line')
    `)
    expect(result.status, result.stderr).toBe(0)
    expect(lines(result.stdout).map((line) => line.n)).toEqual([0, 1, 2])
  })

  it('writes a line out within the batch delay without any flush', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'async-destination-')), 'out.log')
    const result = runScript(`
      const logger = createLogger({ level: 'info', destination: asyncDestination(${JSON.stringify(file)}) })
      // The file is opened asynchronously: log once it is there, then look 200 ms later (batch delay 25 ms).
      setTimeout(() => {
        logger.info({ n: 1 }, 'line')
        const before = readFileSync(${JSON.stringify(file)}, 'utf8')
        setTimeout(() => {
          process.stderr.write(JSON.stringify({ before, after: readFileSync(${JSON.stringify(file)}, 'utf8') }))
          process.exit(0)
        }, 200)
      }, 100)
    `)
    expect(result.status, result.stderr).toBe(0)
    const { before, after } = JSON.parse(result.stderr)
    expect(before).toBe('')
    expect(lines(after)).toMatchObject([{ n: 1, msg: 'line' }])
  })
})
