// Public surface of core for plugins, apps, scripts and tests. Plugins import only from here.

// -- app & data (A)
export { type CreateAppOptions, createApp, type PlatformWiring } from './app/create-app.ts'
// -- contracts (shared)
export * from './app/declarations.ts'
export { createExpiringCache, type ExpiringCache, NOT_CACHED } from './app/expiring-cache.ts'
export { useBeforeBodyParser } from './app/raw-body-routes.ts'
export * from './app/register-service.ts'
export { REQUEST_ID_HEADER } from './app/request-id.ts'
export { type RunningServer, type StopOptions, startServer, stopApp } from './app/server.ts'
export { onShutdown } from './app/shutdown.ts'
export { type SocketMiddleware, useSocketMiddleware } from './app/socket-middleware.ts'
export { TurnBatch } from './app/turn-batch.ts'
// -- tenancy & auth (B)
export type { AccessRuntime } from './auth/access-runtime.ts'
export { AUTHENTICATION_PATH } from './auth/authentication-setup.ts'
export { type ConfigureAccessOptions, configureAccess } from './auth/configure-access.ts'
export {
  authenticateParams,
  type GuardOptions,
  guardedServices,
  guardServiceCall,
  TENANT_SCOPE_HEADER,
  tenantRequired
} from './auth/guard-service-call.ts'
export { DEFAULT_LOGIN_LIMITS, type LoginLimits } from './auth/login-rate-limits.ts'
export { hashPassword, verifyPassword } from './auth/password-hash.ts'
export { PASSWORD_RESET_REQUESTS_PATH, PASSWORD_RESETS_PATH } from './auth/password-reset.ts'
export {
  type AccessGrant,
  canAccessTenant,
  canManageAgency,
  canManageTenant,
  canUseAgencyView,
  evaluateRule,
  type RuleDecision
} from './auth/policy.ts'
export * from './auth/roles.ts'
export { normalizeEmail, type PublicUser } from './auth/user-model.ts'
export { USERS_PATH } from './auth/users-service.ts'
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
export { isDuplicateKeyError } from './data/duplicate-key.ts'
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
export { trusted } from './data/trusted-filter.ts'
export { type BodySchemas, validateBody } from './data/validate-body.ts'
// -- plugins, events, jobs, email (C)
export { createEmailProvider } from './email/create-email-provider.ts'
export type * from './email/email-provider.ts'
export { createMongoEmailSentLog, type EmailSentLog } from './email/email-sent-log.ts'
export { createOutboxEmailProvider, type OutboxRecord } from './email/outbox-provider.ts'
export { createSmtpEmailProvider } from './email/smtp-provider.ts'
export * from './errors/codes.ts'
export { type ConfigureEventsOptions, configureEvents } from './events/configure-events.ts'
export { EVENT_DELIVERIES_PATH } from './events/deliveries-service.ts'
export type * from './events/domain-events.ts'
export { DurableEventBus, EVENT_DELIVERY_QUEUE, type SubscribeOptions } from './events/durable-event-bus.ts'
export type { DeliveryDocument, DeliveryStatus } from './events/event-store.ts'
export { type OutboxRelay, startOutboxRelay } from './events/outbox-relay.ts'
export { defaultJobOptions } from './jobs/job-options.ts'
export {
  type EnqueueJobOptions,
  type JobDefinition,
  type JobEnvelope,
  JobRegistry
} from './jobs/job-registry.ts'
export { createQueueFactory, type QueueFactory } from './jobs/queue-factory.ts'
export { startWorkers, stopWorkers } from './jobs/start-workers.ts'
export { createLogger, type Logger, redactSecrets, requestLogger } from './logging/logger.ts'
export { type DiscoveredPlugin, discoverPlugins } from './plugins/discover-plugins.ts'
export { GENERATED_HEADER, generateUiRegistry, renderUiRegistry } from './plugins/generate-ui-registry.ts'
export { loadPlugins, startPlugins, stopPlugins } from './plugins/load-plugins.ts'
export { manifestErrors, validateManifest } from './plugins/manifest-schema.ts'
export type * from './plugins/plugin-context.ts'
export { pluginDisabled, requirePluginEnabled } from './plugins/plugin-enabled-guard.ts'
export { PluginInvalidError } from './plugins/plugin-errors.ts'
export * from './plugins/plugin-manifest.ts'
export { orderPlugins } from './plugins/plugin-order.ts'
// -- rate limits for public plugin endpoints (added for plugins/pipeline registration, engineer F)
export { type RateLimitOptions, rateLimit } from './rate-limit/rate-limit-hook.ts'
export { HTTP_IP_RULE, rateLimitMiddleware } from './rate-limit/rate-limit-middleware.ts'
export {
  createRedisRateLimiter,
  type RateLimiter,
  type RateLimitResult,
  type RateLimitRule
} from './rate-limit/redis-rate-limiter.ts'
export {
  attendeesChannel,
  resourceName,
  roomChannel,
  staffChannel,
  userChannel
} from './realtime/channel-names.ts'
export { joinUserChannels, revokeUserConnections } from './realtime/connection-channels.ts'
export { joinResourceRoom, leaveResourceRoom } from './realtime/resource-rooms.ts'
export { registerRealtimeAudience } from './realtime/service-audience.ts'
export { TENANT_SELECTION_PATH } from './realtime/tenant-selection-service.ts'
export { AGENCIES_PATH } from './tenancy/agencies-service.ts'
export { resolveTenant, TENANT_HEADER } from './tenancy/resolve-tenant.ts'
export { resolveTenantMiddleware } from './tenancy/resolve-tenant-middleware.ts'
export {
  type RewrapProgress,
  rewrapAllSecrets,
  type SecretsRewrapPart,
  type SecretsRewrapReport
} from './tenancy/rewrap-secrets.ts'
export { schemaErrors } from './tenancy/schema-validation.ts'
export {
  createSecretBox,
  type PurposeSecretBox,
  purposeSecretBox,
  type SecretBox,
  SecretBoxError,
  SecretBoxFailure,
  secretFailureReason
} from './tenancy/secret-box.ts'
export { type TenantDirectory, toResolvedTenant } from './tenancy/tenant-directory.ts'
export {
  type BrandTheme,
  brandThemeSchema,
  type LegalDetails,
  legalDetailsSchema,
  RESERVED_SLUGS
} from './tenancy/tenant-schema.ts'
export { type PublicTenant, TENANTS_PATH } from './tenancy/tenants-service.ts'

// -- web apps (engineer E): the services the storefront and dashboard need; createApp should call configureWebApi
export { configureWebApi } from './web-api/configure-web-api.ts'
