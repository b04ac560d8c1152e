// Serves variant (d)/(e) — the platform stack — in a process of its own, so a CPU profile (node --cpu-prof)
// or its CPU time per request shows the server's work alone, without the load generator or the database.
// Protocol over IPC: the parent sends { mongoUri } and gets the PlatformStack fields back; then 'cpu' answers
// { cpuMicros } (user + system CPU time of this process so far) and 'stop' closes and exits.
import { startBareKoa } from './bare-koa.ts'
import { startBareKoaDriver } from './bare-koa-driver.ts'
import { startFeathersMemory } from './feathers-memory.ts'
import { startPlatformStack } from './platform-stack.ts'

export interface PlatformProcessReady {
  url: string
  host: string
  tenant: string
  token: string
  documentId: string
  /** Variants (b), (c) and (f) in this same process, for CPU-per-request comparisons. */
  bareKoaUrl: string
  feathersUrl: string
  bareDriverUrl: string
  bareDriverDocumentId: string
}

process.once('message', async ({ mongoUri }: { mongoUri: string }) => {
  const [stack, bareKoa, feathersMemory, bareDriver] = await Promise.all([
    startPlatformStack(mongoUri),
    startBareKoa(),
    startFeathersMemory(),
    startBareKoaDriver(mongoUri, 'bench-tenant')
  ])
  const { close: _close, app: _app, ...ready } = stack
  process.send!({
    ...ready,
    bareKoaUrl: bareKoa.url,
    feathersUrl: feathersMemory.url,
    bareDriverUrl: bareDriver.url,
    bareDriverDocumentId: bareDriver.documentId
  } satisfies PlatformProcessReady)
  process.on('message', async (message) => {
    if (message === 'cpu') {
      const { user, system } = process.cpuUsage()
      process.send!({ cpuMicros: user + system })
      return
    }
    await Promise.all([stack.close(), bareKoa.close(), feathersMemory.close(), bareDriver.close()])
    // Exit through the normal path so --cpu-prof writes its profile.
    process.exit(0)
  })
})
