// Public surface of core for plugins, apps, scripts and tests. Plugins import only from here.

// -- contracts (shared)
export * from './app/declarations.ts'
export * from './app/register-service.ts'
export * from './auth/roles.ts'
export * from './context/request-scope.ts'
export * from './errors/codes.ts'
export type * from './config/config.ts'
export type * from './email/email-provider.ts'
export type * from './events/domain-events.ts'
export * from './plugins/plugin-manifest.ts'
export type * from './plugins/plugin-context.ts'
