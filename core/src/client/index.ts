// Shared typed Feathers client for the storefront, the dashboard and tests (`@masterstage/core/client`).
export * from './api-error.ts'
export * from './attribution-rules.ts'
export * from './custom-methods.ts'
export * from './rest-client.ts'
export * from './same-origin-path.ts'
export * from './theme-contrast.ts'
export type * from './types.ts'
export type * from './ui-contract.ts'
