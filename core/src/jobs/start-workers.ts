// App-level worker control: the `worker` process (and the API process when config.runWorkersInProcess)
// calls startWorkers(app) after plugins are loaded, so every job and event handler has a processor.
import type { Application } from '../app/declarations.ts'
import './app-settings.ts'
import { startJobWorkers } from './workers.ts'

export async function startWorkers(app: Application): Promise<void> {
  if (app.get('workers')) return
  app.set('workers', await startJobWorkers(app.get('jobs'), app.get('queues'), app.get('logger')))
}

/** Stops taking jobs and waits for the active ones. */
export async function stopWorkers(app: Application): Promise<void> {
  const workers = app.get('workers')
  if (!workers) return
  app.set('workers', undefined)
  await workers.stop()
}
