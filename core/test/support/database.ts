// Test helper: a URI for a fresh, uniquely named database per test file on the run's shared server.
import { randomBytes } from 'node:crypto'
import { inject } from 'vitest'

// Base URI of the run's database server (no database name).
export function mongoServerUri(): string {
  return inject('mongoUri')
}

export function databaseEngine(): string {
  return inject('mongoEngine')
}

// MongoDB database names are limited to 63 bytes and may not contain /\. "$*<>:|?
export function testDatabaseName(name: string): string {
  const clean = name.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 40)
  return `${clean}_${process.pid}_${randomBytes(4).toString('hex')}`
}

// mongodb://host:port/<unique db>?<original options>
export function testDatabaseUri(name: string, baseUri = mongoServerUri()): string {
  return withDatabase(baseUri, testDatabaseName(name))
}

export function withDatabase(uri: string, db: string): string {
  const queryAt = uri.indexOf('?')
  const base = queryAt >= 0 ? uri.slice(0, queryAt) : uri
  const query = queryAt >= 0 ? uri.slice(queryAt) : ''
  const schemeEnd = base.indexOf('://') + 3
  const pathAt = base.indexOf('/', schemeEnd)
  const hosts = pathAt >= 0 ? base.slice(0, pathAt) : base
  return `${hosts}/${db}${query}`
}
