// CLI: validates the environment's configuration and exits 0 (valid) or 1 (problems on stderr).
//   node core/src/config/check-config.ts
import { loadConfigOrExit } from './exit-on-config-error.ts'

const config = loadConfigOrExit(process.env)
process.stdout.write(`Configuration is valid (env ${config.env}, port ${config.port})\n`)
