import { describe, expect, it } from 'vitest'
import { checkNode, runDoctor, type DoctorProbes, type ProgramRun } from '../../src/doctor.js'
import type { Target } from '../../src/manifest/schema.js'
import { descriptorOf } from '../../providers/descriptors.js'

const ran = (stdout: string, overrides: Partial<ProgramRun> = {}): ProgramRun => ({ exitCode: 0, stdout, stderr: '', timedOut: false, missing: false, ...overrides })
const failed = (stderr: string): ProgramRun => ran('', { exitCode: 1, stderr })

/** Probes where `docker` answers as `engine(host)` says; the CLI itself is there unless told otherwise. */
function probes(engine: (host: string) => ProgramRun = () => ran('27.0'), overrides: Partial<DoctorProbes> = {}): DoctorProbes & { calls: string[][] } {
  const calls: string[][] = []
  return {
    calls,
    nodeVersion: 'v24.21.0',
    async exec(file, args) {
      calls.push([file, ...args])
      if (args[0] === '--version') return ran('Docker version 28.2.2, build e6534b4')
      return engine(args[1])
    },
    env: {},
    homeFileExists: () => false,
    fileExists: () => false,
    ...overrides,
  }
}

const docker: Record<string, Target> = { onprem: { provider: 'docker', hosts: ['unix:///var/run/docker.sock', 'ssh://ops@db1'] } }

describe('doctor', () => {
  it('fails Node older than 22 and says how to upgrade', () => {
    expect(checkNode('v20.20.2')).toMatchObject({ status: 'fail', fix: expect.stringContaining('Node.js 22 or newer') })
    expect(checkNode('v22.0.0').status).toBe('ok')
  })

  it('probes every host of every docker target, and the docker CLI once for all of them', async () => {
    const twoTargets: Record<string, Target> = { ...docker, edge: { provider: 'docker', hosts: ['tcp://edge:2376'] } }
    const machine = probes()
    const checks = await runDoctor(twoTargets, machine, descriptorOf)
    expect(machine.calls.filter((call) => call[1] === '-H').map((call) => call[2])).toEqual(['unix:///var/run/docker.sock', 'ssh://ops@db1', 'tcp://edge:2376'])
    expect(checks.map((check) => [check.name, check.status])).toEqual([
      ['node', 'ok'],
      ['docker CLI', 'ok'],
      ['docker engine unix:///var/run/docker.sock', 'ok'],
      ['docker engine ssh://ops@db1', 'ok'],
      ['docker engine tcp://edge:2376', 'ok'],
    ])
  })

  it('gives a fix that fits the kind of failure and host', async () => {
    const checks = await runDoctor(docker, probes((host) => (host.startsWith('ssh')
      ? failed('error during connect: ssh: connect to host db1 port 22: Connection refused')
      : failed('permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock'))), descriptorOf)
    expect(checks[2]).toMatchObject({ status: 'fail', detail: 'permission denied on the Docker socket', fix: expect.stringContaining('docker group') })
    expect(checks[3]).toMatchObject({ status: 'fail', fix: expect.stringContaining('ssh') })
  })

  it('does not probe engines when the docker CLI is missing', async () => {
    const machine = probes(() => ran('27.0'), { exec: async () => ran('', { exitCode: 127, missing: true }) })
    const checks = await runDoctor(docker, machine, descriptorOf)
    expect(checks.at(-1)).toMatchObject({ name: 'docker CLI', status: 'fail', fix: expect.stringContaining('apt-get install docker.io') })
    expect(checks).toHaveLength(2)
  })

  it('finds cloud credentials in the environment and home folder, and says what to do when none are there', async () => {
    const clouds: Record<string, Target> = {
      aws: { provider: 'aws', region: 'eu-west-1' },
      azure: { provider: 'azure', location: 'westeurope' },
      gcp: { provider: 'gcp', project: 'acme-prod', zone: 'europe-west1-b' },
    }
    const none = await runDoctor(clouds, probes(), descriptorOf)
    expect(none.slice(1).map((check) => [check.name, check.status])).toEqual([
      ['aws credentials', 'fail'], ['azure credentials', 'fail'], ['gcp credentials', 'fail'], ['gcp project', 'ok'],
    ])
    expect(none[1].fix).toContain('aws configure')

    const keyId = ['AKIA', 'EXAMPLE'].join('')
    const found = await runDoctor(clouds, probes(undefined, {
      env: { AWS_ACCESS_KEY_ID: keyId, AWS_SECRET_ACCESS_KEY: 'example', GOOGLE_APPLICATION_CREDENTIALS: '/keys/sa.json' },
      homeFileExists: (file) => file === '.azure/azureProfile.json',
      fileExists: (file) => file === '/keys/sa.json',
      readFile: (file) => (file === '/keys/sa.json' ? JSON.stringify({ type: 'service_account', client_email: 'deployer@acme-prod.iam.gserviceaccount.com' }) : undefined),
    }), descriptorOf)
    expect(found.slice(1).map((check) => check.status)).toEqual(['ok', 'ok', 'ok', 'ok'])
    expect(found.find((check) => check.name === 'gcp credentials')!.detail).toBe('found: service account key for deployer@acme-prod.iam.gserviceaccount.com (GOOGLE_APPLICATION_CREDENTIALS) (whether Google accepts them shows on first use)')
    expect(found.find((check) => check.name === 'gcp project')!.detail).toMatch(/^acme-prod; the calls need compute\.googleapis\.com/)
    expect(JSON.stringify(found)).not.toContain(keyId)
  })
})
