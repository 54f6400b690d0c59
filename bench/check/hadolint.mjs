// hadolint side by side with strato: which strato rule covers each hadolint
// rule, and the comparison of their findings per rule, per file and per line.

/** hadolint rule -> the strato rule that checks the same thing. */
export const HADOLINT_TO_STRATO = {
  DL3000: 'DKR-014', DL3002: 'DKR-001', DL3003: 'DKR-020', DL3004: 'DKR-011', DL3006: 'DKR-002', DL3007: 'DKR-002',
  DL3008: 'DKR-018', DL3009: 'DKR-007', DL3013: 'DKR-018', DL3015: 'DKR-021', DL3016: 'DKR-018', DL3018: 'DKR-018',
  DL3019: 'DKR-007', DL3020: 'DKR-004', DL3022: 'DKR-024', DL3024: 'DKR-015', DL3025: 'DKR-022', DL3027: 'DKR-013',
  DL3028: 'DKR-018', DL3042: 'DKR-007', DL3062: 'DKR-018', DL3066: 'DKR-023', DL4000: 'DKR-016', DL4006: 'DKR-019',
}

/** Runs hadolint over the files in batches (no config, every rule on); returns its findings and wall time. */
export async function runHadolint(measure, bin, files, cwd) {
  const findings = []
  let seconds = 0
  let mib = 0
  // Batches keep the argument list well under the system's limit.
  for (let start = 0; start < files.length; start += 500) {
    const run = await measure(bin, ['--no-fail', '--format', 'json', ...files.slice(start, start + 500)], { cwd })
    seconds += run.seconds
    mib = Math.max(mib, run.mib)
    findings.push(...JSON.parse(run.result.stdout || '[]'))
  }
  return { findings, seconds, mib }
}

/**
 * Per strato rule: findings of each tool (file-level pairs), and for hadolint how many of its
 * (file, line) findings strato reports on the same line with the mapped rule.
 */
export function compareWithHadolint(hadolintFindings, stratoFindings, fileOf) {
  const stratoLines = new Set(stratoFindings.map((finding) => `${finding.ruleId}\0${finding.location.path}\0${finding.location.line}`))
  const stratoFiles = new Set(stratoFindings.map((finding) => `${finding.ruleId}\0${finding.location.path}`))
  const perCode = new Map()
  for (const finding of hadolintFindings) {
    const rule = HADOLINT_TO_STRATO[finding.code]
    const stats = perCode.get(finding.code) ?? { rule, total: 0, sameFile: 0, sameLine: 0 }
    stats.total++
    if (rule && stratoFiles.has(`${rule}\0${fileOf(finding.file)}`)) stats.sameFile++
    if (rule && stratoLines.has(`${rule}\0${fileOf(finding.file)}\0${finding.line}`)) stats.sameLine++
    perCode.set(finding.code, stats)
  }
  return perCode
}
