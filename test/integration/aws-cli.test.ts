/**
 * The built CLI on an aws target (moto): deploy, status --json, scale, a
 * redeploy that changes nothing, scale outside the bounds (exit 2), autoscale apply twice (the second changes nothing),
 * check --live and destroy. Needs `npm run build` (npm test runs it first).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { execa } from 'execa'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startMoto, type Moto } from '../helpers/moto.js'

const bin = path.resolve('bin/run.js')
let moto: Moto
let dir: string

async function strato(args: string[], cwd = dir) {
  const result = await execa(process.execPath, [bin, ...args], {
    cwd, reject: false,
    env: {
      NO_COLOR: '1', CI: '1', AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_PROFILE: '', STRATO_POLL_MS: '50', STRATO_MAX_ATTEMPTS: '2',
    },
  })
  return { stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode, json: () => JSON.parse(result.stdout) }
}

beforeAll(async () => {
  moto = await startMoto()
  dir = mkdtempSync(path.join(tmpdir(), 'strato-aws-cli-'))
  writeFileSync(path.join(dir, 'strato.yaml'), [
    'name: shop',
    'services:',
    '  users:',
    '    image: registry.example/users:1.4.2',
    '    port: 8080',
    '    health: /healthz',
    '    autoscale: { min: 2, max: 4, target: { cpu: 60 }, schedule: [{ cron: "0 8 * * 1-5", min: 2, max: 4 }] }',
    'targets:',
    `  aws: { provider: aws, region: eu-west-1, instanceType: t3.small, endpoint: "${moto.endpoint}" }`,
  ].join('\n'))
})

afterAll(async () => {
  await moto?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe('strato CLI on an aws target', () => {
  it('deploys, reports, refuses a scale outside the bounds, applies autoscaling idempotently and destroys', async () => {
    const deploy = await strato(['deploy', '--target', 'aws', '--yes', '--json'])
    expect(deploy.exitCode).toBe(0)
    expect(deploy.json().targets.aws.endpoints.users).toMatch(/^http:\/\/strato-shop\S*\/users$/)

    const status = await strato(['status', '--target', 'aws', '--json'])
    expect(status.exitCode).toBe(0)
    expect(status.json().services).toMatchObject([{ target: 'aws', service: 'users', host: 'eu-west-1', desired: 2, running: 2, healthy: 2 }])
    expect(status.json().services[0].endpoint).toMatch(/^http:\/\/strato-shop\S*\/users$/)

    const scaled = await strato(['scale', 'users', '3', '--target', 'aws', '--json'])
    expect(scaled.exitCode).toBe(0)
    const redeploy = await strato(['deploy', '--target', 'aws', '--yes', '--json'])
    expect(redeploy.json().actions.map((a: { kind: string }) => a.kind)).toEqual(['noop'])
    expect((await strato(['status', '--target', 'aws', '--json'])).json().services[0]).toMatchObject({ desired: 2, running: 3 })

    const outside = await strato(['scale', 'users', '9', '--target', 'aws', '--json'])
    expect(outside.exitCode).toBe(2)
    expect(outside.json().error.message).toContain('outside the Auto Scaling bounds of users (2..4)')

    const first = await strato(['autoscale', 'apply', '--target', 'aws', '--json'])
    expect(first.exitCode).toBe(0)
    expect(first.json().applied[0].changes.created.sort()).toEqual(['strato-schedule-1', 'strato-target-cpu'])
    const second = await strato(['autoscale', 'apply', '--target', 'aws', '--json'])
    expect(second.json().applied[0].changes).toMatchObject({ created: [], updated: [], deleted: [] })

    const check = await strato(['check', '--live', '--target', 'aws', '--format', 'json', '--fail-on', 'none'])
    expect(check.exitCode).toBe(0)

    const destroy = await strato(['destroy', '--target', 'aws', '--yes', '--json'])
    expect(destroy.exitCode).toBe(0)
    expect(destroy.json().targets.aws.remaining).toEqual([])
    const after = await strato(['status', '--target', 'aws', '--json'])
    expect(after.json().services).toMatchObject([{ service: 'users', running: 0 }])
  })

  it('plans, deploys and reports a database as a private service, behind the internal balancer only, and destroys it', async () => {
    const shop = mkdtempSync(path.join(tmpdir(), 'strato-aws-private-'))
    writeFileSync(path.join(shop, 'strato.yaml'), [
      'name: shop-private',
      'services:',
      '  users:',
      '    image: registry.example/users:1.4.2',
      '    port: 8080',
      '    health: /healthz',
      '    env: { DATABASE_URL: "postgres://app@db:5432/shop" }',
      '    dependsOn: [db]',
      '  db:',
      '    image: postgres:16',
      '    port: 5432',
      'targets:',
      `  aws: { provider: aws, region: eu-west-1, instanceType: t3.small, endpoint: "${moto.endpoint}" }`,
    ].join('\n'))
    const inShop = (args: string[]) => strato(args, shop)
    try {
      expect((await inShop(['validate'])).exitCode).toBe(0)
      const planned = await inShop(['plan', '--target', 'aws', '--json'])
      expect(planned.exitCode).toBe(0)
      expect(JSON.parse(planned.stdout).actions.map((a: { service: string; kind: string }) => [a.service, a.kind])).toEqual([['users', 'create'], ['db', 'create']])
      const deploy = await inShop(['deploy', '--target', 'aws', '--yes', '--json'])
      expect(deploy.exitCode).toBe(0)
      const endpoints = JSON.parse(deploy.stdout).targets.aws.endpoints
      expect(endpoints.db).toMatch(/^172\.31\.\d+\.\d+:5432 \(private\)$/)
      expect(endpoints.users).toMatch(/^http:\/\/strato-shop-private\S*\/users$/)
      const status = await inShop(['status', '--target', 'aws'])
      expect(status.stdout).toMatch(/db\s.*172\.31\.\d+\.\d+:5432 \(private\)/)
      const redeploy = JSON.parse((await inShop(['deploy', '--target', 'aws', '--yes', '--json'])).stdout)
      expect(redeploy.actions.map((a: { kind: string }) => a.kind)).toEqual(['noop', 'noop'])
      const destroy = await inShop(['destroy', '--target', 'aws', '--yes', '--json'])
      expect(destroy.exitCode).toBe(0)
      expect(JSON.parse(destroy.stdout).targets.aws.remaining).toEqual([])
    } finally {
      rmSync(shop, { recursive: true, force: true })
    }
  })

  it('exits 4 when the endpoint does not answer', async () => {
    const down = mkdtempSync(path.join(tmpdir(), 'strato-aws-down-'))
    writeFileSync(path.join(down, 'strato.yaml'), 'name: shop\nservices:\n  users: { image: "registry.example/users:1.0.0", port: 8080 }\ntargets:\n  aws: { provider: aws, region: eu-west-1, endpoint: "http://127.0.0.1:9" }\n')
    const result = await execa(process.execPath, [bin, 'status', '--target', 'aws', '--json'], {
      cwd: down, reject: false, env: { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', STRATO_MAX_ATTEMPTS: '1', CI: '1' },
    })
    expect(result.exitCode).toBe(4)
    expect(JSON.parse(result.stdout).error.message).toContain('Could not reach AWS at http://127.0.0.1:9')
    rmSync(down, { recursive: true, force: true })
  })
})
