// Public surface of core for plugins, apps, scripts and tests. Plugins import only from here.

// -- app & data (A)
export { type CreateAppOptions, createApp, type PlatformWiring } from './app/create-app.ts'
// -- contracts (shared)
export * from './app/declarations.ts'
export * from './app/register-service.ts'
export { REQUEST_ID_HEADER } from './app/request-id.ts'
export { type RunningServer, type StopOptions, startServer, stopApp } from './app/server.ts'
export { onShutdown } from './app/shutdown.ts'
export { type SocketMiddleware, useSocketMiddleware } from './app/socket-middleware.ts'
export * from './auth/roles.ts'
export type * from './config/config.ts'
export { exitOnConfigError, loadConfigOrExit } from './config/exit-on-config-error.ts'
export { ConfigError, type ConfigProblem, loadConfig } from './config/load-config.ts'
export * from './context/request-scope.ts'
export { connectDatabase } from './data/connect.ts'
export {
  assertClientData,
  checkClientData,
  type DataGuardOptions,
  rejectUpdateOperators
} from './data/data-guard.ts'
export { mapDataError } from './data/map-data-error.ts'
// -- data and validation helpers plugins build services with (added for plugins/masterclasses, engineer E)
export {
  MongooseService,
  type MongooseServiceOptions,
  type MongooseServiceParams
} from './data/mongoose-service.ts'
export {
  assertQueryAllowed,
  CLOSED_QUERY,
  checkQuery,
  defineQuerySchema,
  type QueryOperator,
  type QuerySchema,
  validateQuery
} from './data/query-schema.ts'
export { secretPathsOf, stripSecretFields } from './data/secret-fields.ts'
export { TENANT_FIELD, TenantScopeViolation } from './data/tenant-scope-access.ts'
export { isTenantScopedSchema, tenantScopedPlugin } from './data/tenant-scoped-plugin.ts'
export type * from './email/email-provider.ts'
export * from './errors/codes.ts'
export type * from './events/domain-events.ts'
export { createLogger, type Logger, redactSecrets, requestLogger } from './logging/logger.ts'
export type * from './plugins/plugin-context.ts'
export * from './plugins/plugin-manifest.ts'
// -- rate limits for public plugin endpoints (added for plugins/pipeline registration, engineer F)
export { type RateLimitOptions, rateLimit } from './rate-limit/rate-limit-hook.ts'
export { schemaErrors } from './tenancy/schema-validation.ts'
