/**
 * `npm run fake -- gcp`: the fake in the foreground. Prints one JSON line,
 * {"endpoint": ..., "caFile": null} (plain http, nothing to trust), then
 * serves until interrupted. Flags: --port N, --fast (test timings).
 */
import { startGcpFake } from './server.ts'
import type { FakeTiming } from './compute-store.ts'

/** Seconds rather than milliseconds: slow enough to watch a rollout with `strato status --watch`. */
const INTERACTIVE_TIMING: FakeTiming = { operationMs: 300, bootMs: 3_000, healthyMs: 2_000, deleteMs: 1_000, waitCapMs: 30_000 }

export async function main(args: string[]): Promise<void> {
  const portFlag = args.indexOf('--port')
  const port = portFlag >= 0 ? Number(args[portFlag + 1]) : 0
  const fake = await startGcpFake({ port, timing: args.includes('--fast') ? undefined : INTERACTIVE_TIMING })
  process.stdout.write(`${JSON.stringify({ endpoint: fake.endpoint, caFile: null })}\n`)
  process.stderr.write(`gcp fake listening on ${fake.endpoint}; a key file for it: curl -s ${fake.endpoint}/__fake/key-file > key.json (Ctrl-C stops it)\n`)
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve)
    process.once('SIGTERM', resolve)
  })
  await fake.close()
}
