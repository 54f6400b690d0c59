import { describe, expect, it } from 'vitest'
import { checkNode, runDoctor, type DoctorProbes } from '../../src/doctor.js'
import type { Target } from '../../src/manifest/schema.js'

function probes(overrides: Partial<DoctorProbes> = {}): DoctorProbes {
  return {
    nodeVersion: 'v24.21.0',
    dockerCliVersion: async () => '28.2.2',
    docker: async () => ({ ok: true, serverVersion: '20.10.24' }),
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

  it('probes every host of every docker target', async () => {
    const seen: string[] = []
    const checks = await runDoctor(docker, probes({ docker: async (host) => { seen.push(host); return { ok: true, serverVersion: '27.0' } } }))
    expect(seen).toEqual(['unix:///var/run/docker.sock', 'ssh://ops@db1'])
    expect(checks.map((check) => [check.name, check.status])).toEqual([
      ['node', 'ok'],
      ['docker CLI', 'ok'],
      ['docker engine unix:///var/run/docker.sock', 'ok'],
      ['docker engine ssh://ops@db1', 'ok'],
    ])
  })

  it('gives a fix that fits the kind of failure and host', async () => {
    const checks = await runDoctor(docker, probes({
      docker: async (host) => (host.startsWith('ssh') ? { ok: false, reason: 'unreachable', message: 'ssh: connect refused' } : { ok: false, reason: 'denied' }),
    }))
    expect(checks[2]).toMatchObject({ status: 'fail', detail: 'permission denied on the Docker socket', fix: expect.stringContaining('docker group') })
    expect(checks[3]).toMatchObject({ status: 'fail', fix: expect.stringContaining('ssh') })
  })

  it('does not probe engines when the docker CLI is missing', async () => {
    let probed = false
    const checks = await runDoctor(docker, probes({ dockerCliVersion: async () => undefined, docker: async () => { probed = true; return { ok: true } } }))
    expect(probed).toBe(false)
    expect(checks.at(-1)).toMatchObject({ name: 'docker CLI', status: 'fail', fix: expect.stringContaining('apt-get install docker.io') })
  })

  it('finds cloud credentials in the environment and home folder, and says what to do when none are there', async () => {
    const clouds: Record<string, Target> = {
      aws: { provider: 'aws', region: 'eu-west-1' },
      azure: { provider: 'azure', location: 'westeurope' },
      gcp: { provider: 'gcp', project: 'acme-prod', zone: 'europe-west1-b' },
    }
    const none = await runDoctor(clouds, probes())
    expect(none.slice(1).map((check) => [check.name, check.status])).toEqual([
      ['aws credentials', 'fail'], ['azure credentials', 'fail'], ['gcp credentials', 'fail'],
    ])
    expect(none[1].fix).toContain('aws configure')

    const found = await runDoctor(clouds, probes({
      env: { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'example', GOOGLE_APPLICATION_CREDENTIALS: '/keys/sa.json' },
      homeFileExists: (file) => file === '.azure/azureProfile.json',
      fileExists: (file) => file === '/keys/sa.json',
    }))
    expect(found.slice(1).map((check) => check.status)).toEqual(['ok', 'ok', 'ok'])
    expect(JSON.stringify(found)).not.toContain('AKIAEXAMPLE')
  })
})
