// Repository locations the scripts share.
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')

/** `.data` under the repository, or MASTERSTAGE_DATA_DIR. */
export function dataDir(): string {
  return resolve(process.env.MASTERSTAGE_DATA_DIR ?? join(REPO_ROOT, '.data'))
}
