/** An epoch-ms time as `2024-01-31 14:00` (UTC), for messages and summaries. */
export function utcMinute(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}
