// Test helper: the test platform (core/test/support/test-platform.ts) as the auth, tenancy and realtime
// tests use it: events and email recorded in memory, generous login limits unless a test sets its own.
import type { Application } from '../../../src/app/declarations.ts'
import type { ConfigureAccessOptions } from '../../../src/auth/configure-access.ts'
import type { Config } from '../../../src/config/config.ts'
import type { PluginManifest } from '../../../src/plugins/plugin-manifest.ts'
import { MemoryEmailProvider } from '../../support/memory-email.ts'
import { RecordingEventBus } from '../../support/recording-event-bus.ts'
import { platformTestConfig } from '../../support/test-config.ts'
import { startTestPlatform } from '../../support/test-platform.ts'

export { MemoryEmailProvider, RecordingEventBus }

export interface TestApp {
  app: Application
  url: string
  port: number
  config: Config
  email: MemoryEmailProvider
  events: RecordingEventBus
  close(): Promise<void>
}

export interface TestAppOptions extends ConfigureAccessOptions {
  plugins?: readonly PluginManifest[]
  /** Overrides of the generated config, e.g. another app's mongoUri/queuePrefix to act as a second process. */
  config?: Partial<Config>
  /** Registers extra services (fixtures) after core's. */
  register?: (app: Application) => void | Promise<void>
  /** Replaces the in-memory event recorder, e.g. with the real durable bus (configureEvents). */
  configureEvents?: (app: Application) => Promise<void>
}

export function testConfig(name: string): Config {
  return platformTestConfig(name)
}

export async function startTestApp(name: string, options: TestAppOptions = {}): Promise<TestApp> {
  const { plugins, register, config, configureEvents, ...access } = options
  const platform = await startTestPlatform(name, {
    plugins,
    config,
    // A second "process" on the same database leaves it to the first.
    sharedDatabase: config?.mongoUri !== undefined,
    register,
    events: configureEvents ?? 'memory',
    access: { limits: { loginIp: { name: 'login-ip', points: 1000, durationSeconds: 60 } }, ...access }
  })
  return {
    app: platform.app,
    url: platform.url,
    port: platform.port,
    config: platform.config,
    email: platform.email!,
    // With configureEvents the caller's bus is in the app; the recorder then stays empty.
    events: platform.events ?? new RecordingEventBus(),
    close: () => platform.close()
  }
}
