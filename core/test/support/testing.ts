// Test kit of the platform for plugins and apps (`@masterstage/core/testing`): the test bootstrap, seeding,
// HTTP/socket clients, in-memory doubles and polling helpers. Test code only: it reads the test harness.

export { testDatabaseUri } from './database.ts'
export { eventually, pause, waitFor } from './eventually.ts'
export { freePort } from './free-port.ts'
export { type ApiClient, api, type HttpOptions, type HttpResponse, http } from './http-client.ts'
export { MemoryEmailProvider } from './memory-email.ts'
export { RecordingEventBus } from './recording-event-bus.ts'
export * from './seed-platform.ts'
export { connectSocket, type TestSocket } from './socket-client.ts'
export { platformTestConfig, testEncryptionKey } from './test-config.ts'
export * from './test-platform.ts'
