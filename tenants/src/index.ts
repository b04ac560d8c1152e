// Public surface of the tenants workspace: load, validate and apply brand packs.
export * from './apply-packs.ts'
export * from './load-packs.ts'
export * from './pack-records.ts'
export type * from './pack-schema.ts'
export * from './pack-validator.ts'
