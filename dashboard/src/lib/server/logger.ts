// Structured logs of the dashboard server (pino, JSON lines); errors carry codes, never tokens.
import pino from 'pino'
import { env } from '$env/dynamic/private'

export const logger = pino({
  name: 'dashboard',
  level: env.LOG_LEVEL ?? 'info',
  redact: ['accessToken', 'password', 'headers.authorization', 'headers.cookie']
})
