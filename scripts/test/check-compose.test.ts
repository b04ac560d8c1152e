// scripts/ci/check-compose.sh (run by .ci/run) with a stand-in compose client on PATH: the client must be called
// with every variable compose.yaml requires, so a newly required secret cannot abort CI before the tests run.
import { execFile } from 'node:child_process'
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const run = promisify(execFile)
const repo = resolve(import.meta.dirname, '..', '..')
let bin = ''

/** A `docker-compose` that records its arguments and environment, and fails like compose on a missing `:?`. */
const fakeCompose = `#!/usr/bin/env bash
printf '%s\\n' "$*" > "$FAKE_OUT/args"
env > "$FAKE_OUT/env"
for name in $(grep -oE '\\$\\{[A-Z0-9_]+:\\?' docker/compose.yaml | sed -E 's/^\\$\\{//; s/:\\?$//'); do
  if [ -z "\${!name:-}" ]; then echo "required variable $name is missing a value" >&2; exit 1; fi
done
`

beforeAll(async () => {
  bin = await mkdtemp(join(tmpdir(), 'check-compose-'))
  await writeFile(join(bin, 'docker-compose'), fakeCompose)
  // A `docker` without the compose plugin, so the script falls back to docker-compose.
  await writeFile(join(bin, 'docker'), '#!/usr/bin/env bash\nexit 1\n')
  await chmod(join(bin, 'docker-compose'), 0o755)
  await chmod(join(bin, 'docker'), 0o755)
})

afterAll(async () => {
  await rm(bin, { recursive: true, force: true })
})

describe('scripts/ci/check-compose.sh', () => {
  it('gives every required compose variable a placeholder and validates the file', async () => {
    const required = [
      ...(await readFile(join(repo, 'docker/compose.yaml'), 'utf8')).matchAll(/\$\{([A-Z0-9_]+):\?/g)
    ].map((match) => match[1])
    expect(required).toContain('STRIPE_SECRET_KEY')
    const result = await run('bash', ['scripts/ci/check-compose.sh'], {
      cwd: repo,
      env: { PATH: `${bin}:/usr/bin:/bin`, FAKE_OUT: bin }
    })
    expect(result.stdout).toContain('docker/compose.yaml is valid')
    expect(await readFile(join(bin, 'args'), 'utf8')).toBe('-f docker/compose.yaml config --quiet\n')
    const env = await readFile(join(bin, 'env'), 'utf8')
    for (const name of required) expect(env).toContain(`${name}=ci-placeholder`)
  })

  it('skips with a message when no compose client is installed', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'check-compose-none-'))
    try {
      const result = await run('/bin/bash', [join(repo, 'scripts/ci/check-compose.sh')], {
        cwd: repo,
        env: { PATH: `${empty}:/usr/bin:/bin` }
      })
      expect(result.stdout).toContain('skipping docker/compose.yaml validation')
    } finally {
      await rm(empty, { recursive: true, force: true })
    }
  })
})
