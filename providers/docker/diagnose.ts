/**
 * doctor's checks for a docker target: the docker CLI is installed, and every
 * host's engine answers (the same probe and error families as a deploy).
 */
import type { DoctorCheck, DoctorProbes } from '../../src/doctor.js'
import { DEFAULT_DOCKER_HOST } from '../../src/manifest/defaults.js'
import type { Target } from '../../src/manifest/schema.js'
import { classifyDockerError } from './errors.js'

const TIMEOUT_MS = 8000

export async function diagnoseDocker(name: string, target: Target, probes: DoctorProbes): Promise<DoctorCheck[]> {
  const cli = await probes.exec('docker', ['--version'], TIMEOUT_MS)
  const version = cli.exitCode === 0 ? /version ([\w.+-]+)/.exec(cli.stdout)?.[1] : undefined
  if (!version) return [{ name: 'docker CLI', status: 'fail', detail: 'not found on PATH', fix: 'Install the Docker client (Debian: apt-get install docker.io).' }]
  const docker = target as { hosts?: string[]; tls?: { ca: string; cert: string; key: string } }
  const engines = await Promise.all((docker.hosts ?? [DEFAULT_DOCKER_HOST]).map((host) => engineCheck(name, host, docker.tls, probes)))
  return [{ name: 'docker CLI', status: 'ok', detail: `version ${version}` }, ...engines]
}

async function engineCheck(target: string, host: string, tls: { ca: string; cert: string; key: string } | undefined, probes: DoctorProbes): Promise<DoctorCheck> {
  const name = `docker engine ${host}`
  const tlsArgs = tls ? ['--tlsverify', '--tlscacert', tls.ca, '--tlscert', tls.cert, '--tlskey', tls.key] : []
  const run = await probes.exec('docker', ['-H', host, ...tlsArgs, 'version', '--format', '{{.Server.Version}}'], TIMEOUT_MS)
  if (run.exitCode === 0 && run.stdout.trim()) return { name, target, status: 'ok', detail: `server ${run.stdout.trim()}` }
  const message = run.timedOut ? `no answer within ${TIMEOUT_MS / 1000}s` : run.stderr.split('\n').find((line) => line.trim()) ?? 'no answer'
  const code = run.timedOut ? 'unreachable' : classifyDockerError(host, run.stderr)?.options.code
  if (code === 'denied') {
    return /permission denied/i.test(run.stderr)
      ? { name, target, status: 'fail', detail: 'permission denied on the Docker socket', fix: 'Add your user to the docker group (`sudo usermod -aG docker $USER`, then log in again) or use rootless Docker.' }
      : { name, target, status: 'fail', detail: `the engine refused the credentials: ${message}`, fix: 'Check the tls files of the target, or ask the host\'s administrator to allow this user.' }
  }
  if (code === 'unreachable') {
    return {
      name, target, status: 'fail', detail: `no engine answers: ${message}`,
      fix: host.startsWith('ssh://')
        ? 'Check that you can `ssh` to the host without a password prompt and that dockerd runs there.'
        : host.startsWith('tcp://')
          ? 'Check the address, that dockerd listens there with TLS, and the tls paths in the target.'
          : 'Start the engine (`sudo systemctl start docker`, or `dockerd &`).',
    }
  }
  return { name, target, status: 'fail', detail: message, fix: `Run \`docker -H ${host} info\` to see the engine's own error.` }
}
