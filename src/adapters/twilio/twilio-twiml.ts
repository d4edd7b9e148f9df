import twilio from 'twilio';

const HEAD = '<?xml version="1.0" encoding="UTF-8"?>';
/** Text the library writes as it is, bar &, < and >: tab, newline, printable ASCII, and the rest of Unicode but C1 controls. */
const PLAIN = /^[\t\n\x20-\x7E\u00A0-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]+$/u;

function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * The TwiML answer with one <Message> per reply, byte for byte what twilio's MessagingResponse
 * writes, built as a string. A reply the short way does not cover (empty, a carriage return, a
 * control character) is left to the library, which also refuses what XML cannot hold.
 */
export function renderTwiml(replies: readonly string[]): string {
  if (replies.length === 0) return `${HEAD}<Response/>`;
  if (!replies.every((text) => PLAIN.test(text))) {
    const response = new twilio.twiml.MessagingResponse();
    for (const text of replies) response.message(text);
    return response.toString();
  }
  return `${HEAD}<Response>${replies.map((text) => `<Message>${escapeText(text)}</Message>`).join('')}</Response>`;
}
