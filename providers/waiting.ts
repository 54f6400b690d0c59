/** How a cloud provider waits for new instances: passed in, so tests run on a fake clock. */
export interface Timing {
  /** how long new instances may take to turn healthy before a rollout is rolled back */
  healthTimeoutMs: number
  pollMs: number
  sleep(ms: number): Promise<void>
  now(): number
}
