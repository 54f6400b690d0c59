#!/usr/bin/env node
/**
 * Inventory at scale: seeds moto with GROUPS Auto Scaling groups of PER_GROUP
 * instances each (200 x 10 = 2,000 by default), then times, in the same run
 * against the same emulator,
 *   - `strato status --target aws --json` (the built CLI), and
 *   - the aws CLI paging through describe-auto-scaling-groups and
 *     describe-instances with the same tag filter.
 * Prints the median of RUNS runs of each. Needs `npm run build` and
 * scripts/setup-moto.sh (run here when moto is missing).
 *
 *   node bench/aws-inventory/run.mjs [--groups 200] [--per-group 10] [--runs 3]
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { AutoScalingClient, CreateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling'
import { CreateLaunchTemplateCommand, DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2'
import { execa } from 'execa'
import { median, ms, timed } from '../timing.mjs'

const root = path.resolve(import.meta.dirname, '../..')
const { values } = parseArgs({ options: { groups: { type: 'string', default: '200' }, 'per-group': { type: 'string', default: '10' }, runs: { type: 'string', default: '3' } } })
const GROUPS = Number(values.groups)
const PER_GROUP = Number(values['per-group'])
const RUNS = Number(values.runs)
const REGION = 'eu-west-1'
const PROJECT = 'bench'
const credentials = { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_SESSION_TOKEN: 'testing', AWS_EC2_METADATA_DISABLED: 'true', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' }

const freePort = () => new Promise((resolve, reject) => {
  const server = createServer()
  server.once('error', reject)
  server.listen(0, '127.0.0.1', () => { const { port } = server.address(); server.close(() => resolve(port)) })
})

async function mapBounded(items, limit, work) {
  let next = 0
  await Promise.all(Array.from({ length: limit }, async () => { while (next < items.length) { const i = next++; await work(items[i], i) } }))
}

async function startMoto() {
  const binary = path.join(root, '.venv/moto/bin/moto_server')
  if (!existsSync(binary)) await execa('bash', [path.join(root, 'scripts/setup-moto.sh')], { stdio: 'inherit' })
  const port = await freePort()
  const child = execa(binary, ['-H', '127.0.0.1', '-p', String(port)], { reject: false, stdio: 'ignore', cleanup: true })
  const endpoint = `http://127.0.0.1:${port}`
  for (let i = 0; i < 150; i++) {
    try { if ((await fetch(`${endpoint}/moto-api/`)).status < 500) return { endpoint, stop: async () => { child.kill('SIGTERM'); await child } } } catch { /* starting */ }
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  child.kill()
  throw new Error('moto_server did not start')
}

async function seed(endpoint) {
  const config = { region: REGION, endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } }
  const ec2 = new EC2Client(config)
  const autoScaling = new AutoScalingClient(config)
  const subnets = (await ec2.send(new DescribeSubnetsCommand({}))).Subnets.map((subnet) => subnet.SubnetId).slice(0, 3)
  const template = await ec2.send(new CreateLaunchTemplateCommand({
    LaunchTemplateName: 'bench', LaunchTemplateData: { ImageId: 'ami-12c6146b', InstanceType: 't3.small' },
  }))
  const services = Array.from({ length: GROUPS }, (_, i) => `svc-${String(i).padStart(3, '0')}`)
  await mapBounded(services, 4, async (service) => {
    const name = `strato-${PROJECT}-${service}`
    const tag = (Key, Value) => ({ Key, Value, ResourceId: name, ResourceType: 'auto-scaling-group', PropagateAtLaunch: true })
    await autoScaling.send(new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: name, MinSize: PER_GROUP, MaxSize: PER_GROUP, DesiredCapacity: PER_GROUP,
      LaunchTemplate: { LaunchTemplateId: template.LaunchTemplate.LaunchTemplateId, Version: '1' },
      VPCZoneIdentifier: subnets.join(','),
      Tags: [tag('strato.project', PROJECT), tag('strato.service', service), tag('strato.version', 'v1')],
    }))
  })
  ec2.destroy()
  autoScaling.destroy()
  return services
}

function writeManifest(endpoint, services) {
  const dir = mkdtempSync(path.join(tmpdir(), 'strato-bench-aws-'))
  const lines = [`name: ${PROJECT}`, 'services:']
  for (const service of services) lines.push(`  ${service}: { image: "registry.example/${service}:1.0.0", port: 8080, replicas: ${PER_GROUP} }`)
  lines.push('targets:', `  aws: { provider: aws, region: ${REGION}, instanceType: t3.small, endpoint: "${endpoint}" }`)
  writeFileSync(path.join(dir, 'strato.yaml'), `${lines.join('\n')}\n`)
  return dir
}

// Debian's awscli package is the anchor the issue names; AWS_CLI overrides it.
const awsCli = process.env.AWS_CLI ?? (existsSync('/usr/bin/aws') ? '/usr/bin/aws' : 'aws')

const moto = await startMoto()
try {
  const seedStarted = performance.now()
  const services = await seed(moto.endpoint)
  console.log(`seeded ${GROUPS} groups x ${PER_GROUP} instances in moto in ${ms(performance.now() - seedStarted)}`)
  const dir = writeManifest(moto.endpoint, services)
  const env = { ...process.env, ...credentials, NO_COLOR: '1', CI: '1' }
  const strato = [path.join(root, 'bin/run.js'), 'status', '--target', 'aws', '--json']
  const awsArgs = ['--endpoint-url', moto.endpoint, '--region', REGION, '--output', 'json']
  const groupsCall = [...awsArgs, 'autoscaling', 'describe-auto-scaling-groups', '--filters', `Name=tag:strato.project,Values=${PROJECT}`]
  const instancesCall = [...awsArgs, 'ec2', 'describe-instances', '--filters', `Name=tag:strato.project,Values=${PROJECT}`, 'Name=instance-state-name,Values=pending,running']

  // one unmeasured round each, so neither side pays for moto's first-request warm-up
  const check = JSON.parse((await timed(process.execPath, strato, { cwd: dir, env })).stdout)
  const running = check.services.reduce((sum, row) => sum + row.running, 0)
  if (check.services.length !== GROUPS || running !== GROUPS * PER_GROUP) throw new Error(`strato status saw ${check.services.length} services and ${running} instances`)
  const awsGroups = JSON.parse((await timed(awsCli, groupsCall, { env })).stdout).AutoScalingGroups.length
  const awsInstances = JSON.parse((await timed(awsCli, instancesCall, { env })).stdout).Reservations.flatMap((r) => r.Instances).length
  if (awsGroups !== GROUPS || awsInstances !== GROUPS * PER_GROUP) throw new Error(`aws CLI saw ${awsGroups} groups and ${awsInstances} instances`)

  const stratoTimes = []
  const cliTimes = []
  const cliGroups = []
  const cliInstances = []
  for (let run = 0; run < RUNS; run++) {
    stratoTimes.push((await timed(process.execPath, strato, { cwd: dir, env })).elapsed)
    const a = (await timed(awsCli, groupsCall, { env })).elapsed
    const b = (await timed(awsCli, instancesCall, { env })).elapsed
    cliGroups.push(a)
    cliInstances.push(b)
    cliTimes.push(a + b)
  }
  const { stdout: version } = await execa(awsCli, ['--version'], { reject: false, all: true })
  console.log(`aws CLI: ${version.trim()}; runs: ${RUNS}; figures are medians`)
  console.log(`strato status --target aws --json        ${ms(median(stratoTimes))}  (${GROUPS} services, ${running} instances: groups with their members, balancers, target groups, security groups, templates)`)
  console.log(`aws autoscaling describe-auto-scaling-groups  ${ms(median(cliGroups))}`)
  console.log(`aws ec2 describe-instances                    ${ms(median(cliInstances))}`)
  console.log(`aws CLI, both listings one after the other    ${ms(median(cliTimes))}`)
  console.log(`strato / aws CLI: ${(median(stratoTimes) / median(cliTimes)).toFixed(2)}`)
  rmSync(dir, { recursive: true, force: true })
} finally {
  await moto.stop()
}
