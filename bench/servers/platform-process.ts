// Serves variant (d)/(e) — the platform stack — in a process of its own, so a CPU profile (node --cpu-prof)
// shows the server's work alone, without the load generator or the database in the same isolate.
// Protocol over IPC: the parent sends { mongoUri }, gets back the PlatformStack fields, later sends 'stop'.
import { startPlatformStack } from './platform-stack.ts'

export interface PlatformProcessReady {
  url: string
  host: string
  tenant: string
  token: string
  documentId: string
}

process.once('message', async ({ mongoUri }: { mongoUri: string }) => {
  const stack = await startPlatformStack(mongoUri)
  const { close: _close, ...ready } = stack
  process.send!(ready satisfies PlatformProcessReady)
  process.once('message', async () => {
    await stack.close()
    // Exit through the normal path so --cpu-prof writes its profile.
    process.exit(0)
  })
})
