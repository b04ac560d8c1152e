// Registry of shutdown tasks: any part of the platform (job workers, queues, Redis clients, the
// database connection) registers how to stop; stopApp runs them in reverse registration order.
import type { Application } from './declarations.ts'

export interface ShutdownTask {
  name: string
  run: () => Promise<void> | void
}

const tasksByApp = new WeakMap<Application, ShutdownTask[]>()

/** Registers `run` to be awaited when the app stops (last registered runs first). */
export function onShutdown(app: Application, name: string, run: () => Promise<void> | void): void {
  const tasks = tasksByApp.get(app) ?? []
  tasks.push({ name, run })
  tasksByApp.set(app, tasks)
}

export function shutdownTasks(app: Application): readonly ShutdownTask[] {
  return tasksByApp.get(app) ?? []
}

/** Runs every task even if some fail; returns the failures for the caller to log. */
export async function runShutdownTasks(app: Application): Promise<{ name: string; error: unknown }[]> {
  const failures: { name: string; error: unknown }[] = []
  const tasks = [...shutdownTasks(app)].reverse()
  tasksByApp.set(app, [])
  for (const task of tasks) {
    try {
      await task.run()
    } catch (error) {
      failures.push({ name: task.name, error })
    }
  }
  return failures
}
