// Claims and releases custom hostnames for a tenant. A claim document per hostname (its `_id`) makes
// "one tenant per domain" hold under concurrent writes, without relying on multikey unique indexes.

import mongoose from 'mongoose'
import { isDuplicateKeyError as isDuplicateKey } from '../data/duplicate-key.ts'
import { conflict } from '../errors/codes.ts'
import type { TenancyModels } from './tenancy-models.ts'

/** Claims every hostname in `wanted` for the tenant (idempotent for its own claims); 409 if another holds one. */
export async function claimDomains(
  models: TenancyModels,
  tenantId: string,
  wanted: readonly string[]
): Promise<void> {
  const claimed: string[] = []
  for (const hostname of wanted) {
    const existing = await models.TenantDomain.findById(hostname).lean().exec()
    if (existing) {
      if (existing.tenantId !== tenantId) {
        await releaseDomains(models, tenantId, claimed)
        throw conflict(`Domain ${hostname} is already used by another tenant`, { field: 'domains' })
      }
      continue
    }
    try {
      await models.TenantDomain.create({ _id: hostname, tenantId })
      claimed.push(hostname)
    } catch (error) {
      await releaseDomains(models, tenantId, claimed)
      if (isDuplicateKey(error))
        throw conflict(`Domain ${hostname} is already used by another tenant`, { field: 'domains' })
      throw error
    }
  }
}

export async function releaseDomains(
  models: TenancyModels,
  tenantId: string,
  hostnames: readonly string[]
): Promise<void> {
  if (hostnames.length === 0) return
  await models.TenantDomain.deleteMany({ _id: mongoose.trusted({ $in: [...hostnames] }), tenantId }).exec()
}
