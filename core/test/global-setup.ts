// Vitest global setup: one database (external, mongodb-memory-server or embedded) for the whole test run.
import type { TestProject } from 'vitest/node'
import { type DatabaseEngine, startDatabase } from '../src/devdb/harness.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUri: string
    mongoEngine: DatabaseEngine
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const db = await startDatabase()
  project.provide('mongoUri', db.uri)
  project.provide('mongoEngine', db.engine)
  return () => db.stop()
}
