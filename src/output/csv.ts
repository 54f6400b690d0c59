/** CSV output (RFC 4180): fields with commas, quotes or line breaks are quoted, quotes doubled. */

export function csvField(value: string | number | boolean | undefined | null): string {
  const text = value === undefined || value === null ? '' : String(value)
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

export function renderCsv(headers: string[], rows: (string | number | boolean | undefined | null)[][]): string {
  return [headers, ...rows].map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n'
}
