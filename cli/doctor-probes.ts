/** The real probes behind `strato doctor`: programs, the environment, files. */
import { existsSync, readFileSync, statSync } from 'node:fs'
import { homedir } from 'node:os'
import path from 'node:path'
import type { DoctorProbes } from '../src/doctor.js'

export async function systemProbes(): Promise<DoctorProbes> {
  const { execa } = await import('execa')
  return {
    nodeVersion: process.version,
    async exec(file, args, timeoutMs) {
      const result = await execa(file, args, { reject: false, timeout: timeoutMs })
      const missing = (result as { code?: string }).code === 'ENOENT'
      return { exitCode: result.exitCode ?? (missing ? 127 : 1), stdout: String(result.stdout ?? ''), stderr: String(result.stderr ?? ''), timedOut: result.timedOut, missing }
    },
    env: process.env,
    homeFileExists: (relative) => existsSync(path.join(homedir(), relative)),
    fileExists: (file) => existsSync(file),
    reachTargets: true,
    readFile(file) {
      try {
        // credentials files are a few KB; anything large is not one
        return statSync(file).size < 64 * 1024 ? readFileSync(file, 'utf8') : undefined
      } catch {
        return undefined
      }
    },
  }
}
