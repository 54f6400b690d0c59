/**
 * moto's server mode for the AWS tests: installed into .venv/moto by
 * scripts/setup-moto.sh (run here when missing), started on a free port on
 * 127.0.0.1, reset between tests and stopped after.
 */
import { existsSync } from 'node:fs'
import type { IncomingMessage } from 'node:http'
import { createServer } from 'node:net'
import path from 'node:path'
import { execa, type ResultPromise } from 'execa'
import { afterAll, beforeAll } from 'vitest'

const root = path.resolve(import.meta.dirname, '../..')

export interface Moto {
  endpoint: string
  port: number
  reset(): Promise<void>
  /** POST a JSON body to one of moto's /moto-api routes */
  post(route: string, body: unknown): Promise<void>
  stop(): Promise<void>
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
    })
  })
}

async function motoBinary(): Promise<string> {
  if (process.env.STRATO_MOTO_SERVER) return process.env.STRATO_MOTO_SERVER
  const local = path.join(root, '.venv/moto/bin/moto_server')
  if (!existsSync(local)) await execa('bash', [path.join(root, 'scripts/setup-moto.sh')], { stdio: 'inherit' })
  return local
}

export async function startMoto(): Promise<Moto> {
  const port = await freePort()
  const endpoint = `http://127.0.0.1:${port}`
  let exited: number | undefined
  const child: ResultPromise = execa(await motoBinary(), ['-H', '127.0.0.1', '-p', String(port)], { reject: false, stdio: process.env.STRATO_MOTO_LOG ? 'inherit' : 'ignore', cleanup: true })
  void child.then((result) => { exited = result.exitCode ?? -1 })
  const deadline = Date.now() + 30_000
  for (;;) {
    try {
      const answer = await fetch(`${endpoint}/moto-api/`)
      if (answer.ok || answer.status < 500) break
    } catch {
      // not listening yet
    }
    if (exited !== undefined) throw new Error(`moto_server exited with ${exited}; run scripts/setup-moto.sh`)
    if (Date.now() > deadline) {
      child.kill()
      throw new Error('moto_server did not answer within 30 s')
    }
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  const post = async (route: string, body: unknown) => {
    const answer = await fetch(`${endpoint}${route}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } })
    if (!answer.ok) throw new Error(`moto ${route} answered ${answer.status}: ${await answer.text()}`)
  }
  return {
    endpoint,
    port,
    reset: () => post('/moto-api/reset', {}),
    post,
    stop: async () => {
      child.kill('SIGTERM')
      await child
    },
  }
}

/** Dummy credentials for the SDK's standard chain, so nothing reads a real profile. */
export function useDummyAwsCredentials(): () => void {
  const saved = { ...process.env }
  process.env.AWS_ACCESS_KEY_ID = 'testing'
  process.env.AWS_SECRET_ACCESS_KEY = 'testing'
  process.env.AWS_SESSION_TOKEN = 'testing'
  delete process.env.AWS_PROFILE
  process.env.AWS_CONFIG_FILE = '/dev/null'
  process.env.AWS_SHARED_CREDENTIALS_FILE = '/dev/null'
  return () => {
    for (const key of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE']) {
      if (saved[key] === undefined) delete process.env[key]
      else process.env[key] = saved[key]
    }
  }
}

/** moto for one test file, with dummy credentials: started before its tests, stopped after. Call the result for the running server. */
export function useMoto(): () => Moto {
  let moto: Moto | undefined
  let restoreEnv: (() => void) | undefined
  beforeAll(async () => {
    restoreEnv = useDummyAwsCredentials()
    moto = await startMoto()
  })
  afterAll(async () => {
    await moto?.stop()
    restoreEnv?.()
  })
  return () => moto!
}

/**
 * A fault-proxy rewrite for moto, which reports every registered target
 * healthy: DescribeTargetHealth answers show the targets `unhealthy` picks
 * (by id, and the decoded request naming the target group) as unhealthy, as
 * AWS does for instances that never answer the health path.
 */
export function reportUnhealthy(unhealthy: (targetId: string, request: string) => boolean) {
  return (_request: IncomingMessage, body: Buffer, answer: Buffer): Buffer => {
    const request = decodeURIComponent(body.toString())
    if (!request.includes('Action=DescribeTargetHealth')) return answer
    return Buffer.from(answer.toString().replace(/<member>((?:(?!<\/member>)[\s\S])*?<Id>([^<]+)<\/Id>[\s\S]*?)<\/member>/g, (member: string, _inner: string, id: string) =>
      (unhealthy(id, request) ? member.replace(/<State>healthy<\/State>/, '<State>unhealthy</State>') : member)))
  }
}
