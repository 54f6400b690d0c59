/** The real probes behind `strato doctor`: the docker CLI, the environment, files. */
import { existsSync } from 'node:fs'
import { homedir } from 'node:os'
import path from 'node:path'
import type { DockerProbe, DoctorProbes } from '../src/doctor.js'

const DOCKER_TIMEOUT_MS = 8000

export async function systemProbes(): Promise<DoctorProbes> {
  const { execa } = await import('execa')
  return {
    nodeVersion: process.version,
    async dockerCliVersion() {
      const result = await execa('docker', ['--version'], { reject: false, timeout: DOCKER_TIMEOUT_MS })
      return result.exitCode === 0 ? /version ([\w.+-]+)/.exec(result.stdout)?.[1] : undefined
    },
    async docker(host, tls): Promise<DockerProbe> {
      const tlsArgs = tls ? ['--tlsverify', '--tlscacert', tls.ca, '--tlscert', tls.cert, '--tlskey', tls.key] : []
      const result = await execa('docker', ['-H', host, ...tlsArgs, 'version', '--format', '{{.Server.Version}}'], { reject: false, timeout: DOCKER_TIMEOUT_MS })
      if (result.exitCode === 0 && result.stdout.trim()) return { ok: true, serverVersion: result.stdout.trim() }
      const message = String(result.stderr ?? '').split('\n').find((line) => line.trim()) ?? 'no answer'
      if (/permission denied/i.test(message)) return { ok: false, reason: 'denied', message }
      if (result.timedOut || /cannot connect|connection refused|no such host|is the docker daemon running|ssh:|timeout/i.test(message)) {
        return { ok: false, reason: 'unreachable', message: result.timedOut ? `no answer within ${DOCKER_TIMEOUT_MS / 1000}s` : message }
      }
      return { ok: false, reason: 'other', message }
    },
    env: process.env,
    homeFileExists: (relative) => existsSync(path.join(homedir(), relative)),
    fileExists: (file) => existsSync(file),
  }
}
