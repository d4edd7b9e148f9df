import type { ReviewedConversation } from './ports.js';
import type { ReviewLabel } from './pipeline.js';

/** A reviewed conversation as an eval case (eval/corpus's shape): the client's texts, PJ's label. */
export interface ReviewCase {
  id: string;
  messages: string[];
  label: ReviewLabel;
  side?: 'buyer';
  note: string;
}

const PHONE = /\+?\(?\d(?:[\s().-]*\d){6,14}/g;
const SLACK_MENTION = /<[@#!][^>\s]*>/g;
const SLACK_ID = /\b[UWTCGBE][A-Z0-9]{8,}\b/g;
const EMAIL = /[^\s@<>]+@[^\s@<>]+\.[A-Za-z]{2,}/g;

/**
 * A client's text without what identifies a person: phone numbers, Slack ids and mentions, email
 * addresses. The words that decide a verdict stay as written.
 */
function maskText(text: string): string {
  return text
    .replace(SLACK_MENTION, '<slack id>')
    .replace(SLACK_ID, '<slack id>')
    .replace(EMAIL, '<email>')
    .replace(PHONE, '<phone>');
}

/** The eval case for one reviewed conversation; PJ's verdict is the label. */
export function toReviewCase(conversation: ReviewedConversation): ReviewCase | null {
  const { review } = conversation;
  const messages = conversation.texts.map(maskText).filter((text) => text.trim() !== '');
  if (review === null || messages.length === 0) return null;
  const said = conversation.basis ? `${review.botLabel} (${conversation.basis.reason})` : review.botLabel;
  const rules = review.rulesVersion === null ? '' : `, rules ${review.rulesVersion}`;
  const note = `${maskText(review.note)}${review.note.trim() === '' ? '' : ' / '}the bot said ${said}${rules}`;
  return {
    id: `review-${conversation.id}`,
    messages,
    label: review.verdict,
    ...(conversation.side === 'buyer' && { side: 'buyer' as const }),
    note,
  };
}
