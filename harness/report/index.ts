// Reports of a benchmark run, all rendered from result.json: report.md, report.html (inline
// SVG charts, no scripts) and the terminal summary.

export { resultToMarkdown } from './markdown.ts'
export type { MarkdownReportOptions } from './markdown.ts'
export { resultToHtml } from './html.ts'
export type { HtmlReportOptions } from './html.ts'
export { formatConsoleSummary } from './console.ts'
export type { ConsoleSummaryOptions } from './console.ts'
export { buildCharts } from './charts.ts'
export type { Chart } from './charts.ts'
