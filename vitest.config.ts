// Root test runner config: every workspace keeps tests in test/ beside src/.
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: [
      '{core,tenants,scripts,bench}/test/**/*.test.ts',
      'plugins/*/test/**/*.test.ts',
      '{storefront,dashboard}/test/**/*.test.ts'
    ],
    exclude: ['**/node_modules/**'],
    pool: 'forks',
    // 2-core machines: a few files at a time keeps socket/timing-sensitive tests stable.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    globalSetup: ['./core/test/global-setup.ts'],
    reporters: process.env.CI ? ['default'] : ['default']
  }
})
