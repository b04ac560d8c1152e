// Structured logs of the storefront server (pino, JSON lines); errors carry codes, never tokens.
import pino from 'pino'
import { env } from '$env/dynamic/private'

export const logger = pino({
  name: 'storefront',
  level: env.LOG_LEVEL ?? 'info',
  redact: ['accessToken', 'password', 'headers.authorization', 'headers.cookie']
})
