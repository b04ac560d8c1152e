// Opens the app's own mongoose Connection (never the global one, so several apps can coexist in tests).

import type { Connection } from 'mongoose'
import mongoose from 'mongoose'
import type { Logger } from 'pino'
import { modelCompileChecks } from './model-compile-checks.ts'

export interface ConnectOptions {
  logger?: Logger
  /** How long to wait for a reachable server before failing boot/readiness (default 5 s). */
  serverSelectionTimeoutMS?: number
  maxPoolSize?: number
}

export async function connectDatabase(uri: string, options: ConnectOptions = {}): Promise<Connection> {
  const connection = mongoose.createConnection(uri, {
    maxPoolSize: options.maxPoolSize ?? 20,
    minPoolSize: 0,
    serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 5_000,
    connectTimeoutMS: 10_000,
    socketTimeoutMS: 45_000,
    autoIndex: true,
    // Client input can never smuggle query operators; trusted code wraps its own with mongoose.trusted().
    sanitizeFilter: true
  })
  connection.plugin(modelCompileChecks)
  await connection.asPromise()
  options.logger?.info({ database: connection.name, host: connection.host }, 'mongodb connected')
  return connection
}

/** Removes credentials before a URI is logged or shown. */
export function redactUri(uri: string): string {
  return uri.replace(/\/\/[^@/]*@/, '//***@')
}
