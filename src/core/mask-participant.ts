/**
 * A participant id that is safe to log: +18584618054 becomes +1858***8054, so two senders can
 * be told apart in logs without the logs holding anyone's number.
 */
export function maskParticipant(participant: string): string {
  if (/^\+\d{8,15}$/.test(participant)) return `${participant.slice(0, 5)}***${participant.slice(-4)}`;
  if (participant.length <= 6) return '***';
  return `${participant.slice(0, 3)}***${participant.slice(-3)}`;
}
