/**
 * A conversation id as the admin API writes it: a plain positive decimal integer, at most 15
 * digits so it stays exact as a JavaScript number. Anything else ("0x1", "1e0", "01", "-1",
 * "1.0", 20 nines) is null, and the caller answers 404 as for an id that does not exist.
 */
export function parseConversationId(raw: string): number | null {
  return /^[1-9]\d{0,14}$/.test(raw) ? Number(raw) : null;
}
