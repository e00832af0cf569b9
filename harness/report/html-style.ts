// The report page's stylesheet, inlined into report.html. System fonts only (nothing to
// download); chart text sizes are in SVG user units, so charts scale with their width.

export const STYLE = `
:root { color-scheme: light; --text: #0f172a; --muted: #64748b; --line: #e2e8f0; --panel: #f8fafc; }
* { box-sizing: border-box; }
body { margin: 0; background: #fff; color: var(--text);
  font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1240px; margin: 0 auto; padding: 28px 32px 40px; }
header h1 { margin: 0 0 4px; font-size: 24px; font-weight: 650; letter-spacing: -0.01em; }
.subtitle { margin: 0; color: #334155; }
.meta { margin: 2px 0 0; color: var(--muted); font-size: 12px; }
.badge { display: inline-block; vertical-align: middle; margin-left: 8px; padding: 1px 9px; border-radius: 999px;
  font-size: 12px; font-weight: 600; letter-spacing: 0.02em; text-transform: uppercase; }
.badge.complete { background: #dcfce7; color: #166534; }
.badge.partial { background: #fef3c7; color: #92400e; }
.badge.warning { background: #ffedd5; color: #9a3412; }
.warning { margin: 16px 0 0; padding: 10px 14px; border: 1px solid #fcd34d; border-radius: 8px; background: #fffbeb; color: #78350f; }
.cards { display: grid; grid-template-columns: repeat(5, 1fr); gap: 12px; margin: 20px 0 8px; }
.card { border: 1px solid var(--line); border-radius: 10px; padding: 12px 14px; background: var(--panel); }
.card-label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: 0.04em; }
.card-value { font-size: 22px; font-weight: 650; margin: 2px 0; font-variant-numeric: tabular-nums; }
.card-note { color: var(--muted); font-size: 12px; }
h2 { font-size: 16px; margin: 22px 0 8px; font-weight: 650; }
.tables { display: grid; grid-template-columns: 1fr 1.5fr; gap: 28px; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { padding: 6px 10px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
thead th { color: var(--muted); font-weight: 600; font-size: 12px; text-transform: uppercase; letter-spacing: 0.03em; }
td.num, th.num { text-align: right; white-space: nowrap; }
tbody tr:nth-child(even) { background: #fbfdff; }
table.kv th { width: 28%; color: #334155; font-weight: 600; }
table.kv td { word-break: break-word; }
ul.settings { margin: 4px 0 0; padding: 0; list-style: none; font-size: 13px; }
ul.settings > li { margin: 1px 0; }
ul.settings .setting { color: #334155; font-weight: 600; }
ul.notes { margin: 2px 0 4px; padding-left: 18px; list-style: disc; color: #78350f; }
.definition { color: var(--muted); font-size: 12px; }
.note { color: var(--muted); font-size: 12px; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
pre { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 12px; white-space: pre-wrap; overflow-wrap: anywhere; }
.charts { display: grid; grid-template-columns: 1fr 1fr; gap: 18px 24px; margin-top: 26px; }
figure { margin: 0; border: 1px solid var(--line); border-radius: 10px; padding: 12px 12px 4px; }
figcaption h3 { margin: 0; font-size: 15px; font-weight: 650; }
figcaption p { margin: 2px 0 4px; color: var(--muted); font-size: 12px; }
svg.chart { display: block; width: 100%; height: auto; }
svg.chart text { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; fill: #334155; }
svg.chart .tick { font-size: 11px; fill: #64748b; }
svg.chart .axis-label { font-size: 11.5px; fill: #475569; }
svg.chart .legend { font-size: 11.5px; }
svg.chart .band-label { font-size: 10px; font-weight: 600; }
svg.chart .empty { font-size: 14px; fill: #94a3b8; }
svg.chart .grid { stroke: #eef2f7; stroke-width: 1; }
svg.chart .axis, svg.chart .tick-mark { stroke: #94a3b8; stroke-width: 1; }
svg.chart .series { fill: none; stroke-width: 1.8; stroke-linejoin: round; stroke-linecap: round; }
svg.chart rect.hover { fill: transparent; }
svg.chart rect.hover:hover { fill: rgba(15, 23, 42, 0.06); }
footer { margin-top: 28px; color: var(--muted); font-size: 12px; }
@media (max-width: 900px) { .cards { grid-template-columns: repeat(2, 1fr); } .charts, .tables { grid-template-columns: 1fr; } }
`

/**
 * The start of every report page up to and including <body>: a strict CSP (no script, no
 * outside request), the stylesheet inlined. `title` must already be escaped.
 */
export function pageHead (escapedTitle: string, extraStyle = ''): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escapedTitle}</title>
<style>${STYLE}${extraStyle}</style>
</head>
<body>`
}
