/** Debian's docker-registry (installed by scripts/setup-moto.sh), serving on a free port under a work folder. */
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { execa } from 'execa'
import { freePort } from './moto.js'

export interface DockerRegistry {
  /** 127.0.0.1:PORT, the host part of image references pushed to it */
  address: string
  stop(): Promise<void>
}

export async function startDockerRegistry(workDir: string): Promise<DockerRegistry> {
  const address = `127.0.0.1:${await freePort()}`
  const config = path.join(workDir, 'registry.yml')
  writeFileSync(config, ['version: 0.1', 'storage:', `  filesystem: { rootdirectory: ${path.join(workDir, 'registry-data')} }`, 'http:', `  addr: ${address}`].join('\n'))
  const child = execa('docker-registry', ['serve', config], { reject: false, stdio: 'ignore', cleanup: true })
  const stop = async () => { child.kill('SIGTERM'); await child }
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`http://${address}/v2/`)).ok) return { address, stop }
    } catch {
      // starting
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  await stop()
  throw new Error('docker-registry did not start; run scripts/setup-moto.sh')
}
