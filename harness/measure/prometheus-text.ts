// Reads Prometheus text exposition (what GET /metrics returns) into a flat map from
// `name{labels}` (labels exactly as written) to the sample's value. Enough for the bench
// to diff the broker's counters and histograms across a measured phase; comments,
// timestamps and blank lines are skipped, and a line that does not parse is ignored.

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?)\s+(\S+)/

export function parsePrometheusText (text: string): Map<string, number> {
  const samples = new Map<string, number>()
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const match = SAMPLE.exec(line)
    if (match === null) continue
    const value = Number(match[2])
    if (!Number.isNaN(value) || match[2] === 'NaN') samples.set(match[1]!, value)
  }
  return samples
}
