// Bounds of the embedded Toxiproxy server. Real Toxiproxy has none of these; ours exist so
// that a runaway harness (or a typo such as a rate of 1 KB/s on a 10 GB stream) costs a
// clear error or a paused socket instead of the machine's memory.

/** Proxies one server holds. */
export const PROXIES_MAX = 1024
/** Toxics on one proxy, both directions together. */
export const TOXICS_PER_PROXY_MAX = 64
/** Live client connections per proxy; more are refused by the listener. */
export const CONNECTIONS_PER_PROXY_MAX = 1024
/** Concurrent HTTP connections to the API; requests are served one at a time anyway. */
export const API_CONNECTIONS_MAX = 256
/** Request body of any API call. */
export const REQUEST_BODY_BYTES_MAX = 1024 * 1024
/** Proxy and toxic names. */
export const NAME_LENGTH_MAX = 256

/**
 * Bytes one direction of one connection may hold inside its toxics and the destination's
 * write buffer before the source socket is paused, and the level at which it resumes.
 * Large enough that a latency toxic does not throttle a fast stream much (4 MiB in flight
 * over 200 ms is 20 MB/s), small enough that 1024 connections cannot exhaust memory.
 */
export const LINK_PRESSURE_HIGH_BYTES = 4 * 1024 * 1024
export const LINK_PRESSURE_LOW_BYTES = 1024 * 1024
/**
 * What each held chunk costs on top of its bytes, so a stream of tiny chunks is bounded by
 * count as well as by size (4 MiB / 256 B = 16384 chunks at most).
 */
export const CHUNK_OVERHEAD_BYTES = 256

/** How long a new connection waits for the upstream dial before the client is closed. */
export const UPSTREAM_DIAL_TIMEOUT_MS = 10_000
/** How long a closing connection may take to flush its last bytes before it is destroyed. */
export const CLOSE_FLUSH_TIMEOUT_MS = 2_000
/** setTimeout's own limit; longer toxic durations are clamped to it (about 24.8 days). */
export const TIMER_MS_MAX = 2 ** 31 - 1
