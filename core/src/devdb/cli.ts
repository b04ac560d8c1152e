// `npm run devdb -- --port <port> [--host <host>] [--data-dir <dir>]`: serve until SIGINT/SIGTERM.
import { parseArgs } from 'node:util'
import pino from 'pino'
import { start } from './index.ts'

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '27017' },
    host: { type: 'string', default: '127.0.0.1' },
    'data-dir': { type: 'string' },
    help: { type: 'boolean', default: false }
  },
  strict: true
})

if (values.help) {
  process.stdout.write(
    'usage: npm run devdb -- [--port 27017] [--host 127.0.0.1] [--data-dir ./.data/devdb]\n'
  )
  process.exit(0)
}

const port = Number(values.port)
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`devdb: invalid --port ${values.port}\n`)
  process.exit(2)
}

// Logs go to stderr so stdout carries only the connection URI (scripts read it).
const logger = pino({ name: 'devdb', level: process.env.DEVDB_LOG_LEVEL ?? 'info' }, pino.destination(2))

try {
  const db = await start({ port, host: values.host, dataDir: values['data-dir'], logger })
  process.stdout.write(`${db.uri}\n`)
  let stopping = false
  const shutdown = (signal: string) => {
    if (stopping) return
    stopping = true
    logger.info({ signal }, 'devdb shutting down')
    db.stop().then(
      () => process.exit(0),
      (err) => {
        logger.error({ err }, 'devdb failed to stop cleanly')
        process.exit(1)
      }
    )
  }
  process.on('SIGINT', () => shutdown('SIGINT'))
  process.on('SIGTERM', () => shutdown('SIGTERM'))
} catch (err) {
  logger.error({ err: (err as Error).message }, 'devdb failed to start')
  process.stderr.write(`${(err as Error).message}\n`)
  process.exit(1)
}
