/**
 * A build: service on an aws target: strato builds the image, pushes it to the
 * target's registry (Debian's docker-registry, started here) and the launch
 * template runs exactly that pushed reference.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { DescribeLaunchTemplateVersionsCommand, DescribeLaunchTemplatesCommand, EC2Client } from '@aws-sdk/client-ec2'
import { execa, type ResultPromise } from 'execa'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { UserError } from '../../src/errors.js'
import type { Manifest } from '../../src/manifest/schema.js'
import { silentProgress } from '../../src/model.js'
import { serviceVersion } from '../../src/planning/version.js'
import { AwsProvider } from '../../providers/aws/index.js'
import { freePort, startMoto, useDummyAwsCredentials, type Moto } from '../helpers/moto.js'

let moto: Moto
let registry: ResultPromise
let registryAddress: string
let workDir: string
let restoreEnv: () => void
const pushed: string[] = []

async function startRegistry(): Promise<void> {
  const port = await freePort()
  registryAddress = `127.0.0.1:${port}`
  const config = path.join(workDir, 'registry.yml')
  writeFileSync(config, [
    'version: 0.1',
    'storage:',
    `  filesystem: { rootdirectory: ${path.join(workDir, 'registry-data')} }`,
    'http:',
    `  addr: ${registryAddress}`,
  ].join('\n'))
  registry = execa('docker-registry', ['serve', config], { reject: false, stdio: 'ignore', cleanup: true })
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`http://${registryAddress}/v2/`)).ok) return
    } catch {
      // starting
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error('docker-registry did not start; run scripts/setup-moto.sh')
}

function manifest(registryHost: string | undefined): Manifest {
  return {
    name: 'shop',
    services: { api: { build: path.join(workDir, 'api'), port: 8080, health: '/healthz', replicas: 1 } },
    targets: { aws: { provider: 'aws', region: 'eu-west-1', instanceType: 't3.small', endpoint: moto.endpoint, ...(registryHost ? { registry: registryHost } : {}) } },
  }
}

function providerFor(m: Manifest) {
  return new AwsProvider({ manifest: m, targetName: 'aws', target: m.targets!.aws, projectDir: workDir, env: {}, progress: silentProgress, settings: { maxAttempts: 2 } },
    { healthTimeoutMs: 5000, pollMs: 50, sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 50))), now: () => Date.now() })
}

beforeAll(async () => {
  restoreEnv = useDummyAwsCredentials()
  workDir = mkdtempSync(path.join(tmpdir(), 'strato-aws-registry-'))
  mkdirSync(path.join(workDir, 'api'))
  writeFileSync(path.join(workDir, 'api', 'Dockerfile'), 'FROM scratch\nCOPY hello.txt /hello.txt\n')
  writeFileSync(path.join(workDir, 'api', 'hello.txt'), 'hello from the api\n')
  moto = await startMoto()
  await startRegistry()
})

afterAll(async () => {
  for (const reference of pushed) await execa('docker', ['image', 'rm', reference], { reject: false })
  registry?.kill('SIGTERM')
  await registry
  await moto?.stop()
  rmSync(workDir, { recursive: true, force: true })
  restoreEnv?.()
})

describe('aws provider: build and push', () => {
  it('builds the service, pushes it to the target registry and deploys that reference', async () => {
    const m = manifest(registryAddress)
    const version = serviceVersion(workDir, 'api', m.services.api)
    const provider = providerFor(m)
    await provider.apply([{ kind: 'create', target: 'aws', service: 'api', from: 0, to: 1, toVersion: version, reasons: [] }], silentProgress)
    const reference = `${registryAddress}/shop-api:${version}`
    pushed.push(reference)

    const tags = await (await fetch(`http://${registryAddress}/v2/shop-api/tags/list`)).json() as { tags: string[] }
    expect(tags.tags).toEqual([version])

    const ec2 = new EC2Client({ region: 'eu-west-1', endpoint: moto.endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } })
    const template = (await ec2.send(new DescribeLaunchTemplatesCommand({ Filters: [{ Name: 'tag:strato.service', Values: ['api'] }] }))).LaunchTemplates![0]
    const data = (await ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: template.LaunchTemplateId, Versions: ['$Latest'] }))).LaunchTemplateVersions![0].LaunchTemplateData!
    expect(Buffer.from(data.UserData!, 'base64').toString().trimEnd().split('\n').at(-1)).toContain(` ${reference}`)
    await provider.destroy()
    await provider.close()
  })

  it('asks for a registry when a build: service goes to a target without one', async () => {
    await moto.reset()
    const m = manifest(undefined)
    const provider = providerFor(m)
    const error = await provider.apply([{ kind: 'create', target: 'aws', service: 'api', from: 0, to: 1, toVersion: 'v1', reasons: [] }], silentProgress).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(UserError)
    expect((error as UserError).exitCode).toBe(2)
    expect((error as UserError).fix).toContain('targets.aws.registry')
    await provider.close()
  })
})
