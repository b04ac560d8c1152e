// Public surface of core for plugins, apps, scripts and tests. Plugins import only from here.

// -- contracts (shared)
export * from './app/declarations.ts'
export * from './app/register-service.ts'
export * from './auth/roles.ts'
export type * from './config/config.ts'
export * from './context/request-scope.ts'
// -- data and validation helpers plugins build services with (added for plugins/masterclasses, engineer E)
export {
  MongooseService,
  type MongooseServiceOptions,
  type MongooseServiceParams
} from './data/mongoose-service.ts'
export { defineQuerySchema, type QuerySchema } from './data/query-schema.ts'
export type * from './email/email-provider.ts'
export * from './errors/codes.ts'
export type * from './events/domain-events.ts'
export type * from './plugins/plugin-context.ts'
export * from './plugins/plugin-manifest.ts'
export { schemaErrors } from './tenancy/schema-validation.ts'
// -- rate limits for public plugin endpoints (added for plugins/pipeline registration, engineer F)
export { type RateLimitOptions, rateLimit } from './rate-limit/rate-limit-hook.ts'
