/** Running the built CLI as a user would: separate stdout and stderr, exit code, never throwing. */
import { chmodSync, cpSync, existsSync, mkdtempSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { execa } from 'execa'

export const root = path.resolve(import.meta.dirname, '../..')

let snapshot: string | undefined

/**
 * The built CLI, copied once per test process: a rebuild of the working tree
 * (which empties dist/) while long tests run must not pull the CLI away under them.
 */
export function cliBin(): string {
  if (snapshot) return path.join(snapshot, 'bin/run.js')
  if (!existsSync(path.join(root, 'dist/commands'))) throw new Error('dist/ is missing: run `npm run build` before the integration tests.')
  const dir = mkdtempSync(path.join(tmpdir(), 'strato-cli-'))
  for (const entry of ['bin', 'dist', 'package.json', 'oclif.manifest.json', 'templates', 'schema']) {
    if (existsSync(path.join(root, entry))) cpSync(path.join(root, entry), path.join(dir, entry), { recursive: true })
  }
  symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'))
  // readable by other users: tests run the CLI as an unprivileged user too
  chmodSync(dir, 0o755)
  snapshot = dir
  return path.join(dir, 'bin/run.js')
}

export interface CliResult {
  stdout: string
  stderr: string
  exitCode: number
}

export async function strato(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  const result = await execa(process.execPath, [cliBin(), ...args], {
    cwd: options.cwd,
    reject: false,
    env: { NO_COLOR: '1', CI: '1', ...options.env },
  })
  return { stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode ?? 1 }
}

/** The --json value of a command that succeeded; fails the test with its stderr otherwise. */
export async function stratoJson<T>(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<T> {
  const result = await strato([...args, '--json'], options)
  if (result.exitCode !== 0) throw new Error(`strato ${args.join(' ')} exited ${result.exitCode}\n${result.stderr}\n${result.stdout}`)
  return JSON.parse(result.stdout) as T
}
