// How a nemesis op names its fault for people: the fault and its targets ("kill broker-1"),
// and for a split its topology and groups ("split isolate broker-0 | broker-1 broker-2"), so
// report bands and the live progress line say which side was cut from which.

interface NemesisValue { fault?: unknown, targets?: unknown, details?: unknown }

/** The groups of a split's first detail, if the op has them. */
function splitGroups (value: NemesisValue): { topology: string, groups: string[][] } | null {
  const detail = Array.isArray(value.details) ? value.details[0] as { topology?: unknown, groups?: unknown } | undefined : undefined
  if (detail === undefined || !Array.isArray(detail.groups)) return null
  const groups = detail.groups.filter((g): g is string[] => Array.isArray(g)).map(g => g.map(String))
  return { topology: String(detail.topology ?? 'isolate'), groups }
}

export function faultLabel (value: NemesisValue, separator = '+'): string {
  const fault = String(value.fault ?? '?')
  const split = fault === 'split' ? splitGroups(value) : null
  if (split !== null) {
    const groups = split.topology === 'ring' ? 'each node hears its own majority' : split.groups.filter(g => g.length > 0).map(g => g.join(' ')).join(' | ')
    return `split ${split.topology} ${groups}`.trim()
  }
  const targets = Array.isArray(value.targets) ? value.targets.join(separator) : ''
  return `${fault} ${targets}`.trim()
}
