import { z } from 'zod';

/** A Twilio message SID, as both the incoming-message webhook and status callbacks carry it. */
export const MessageSidSchema = z
  .string()
  .regex(/^(SM|MM)[0-9a-fA-F]{32}$/, 'must be a Twilio message SID (SM or MM + 32 hex digits)');

/** What is wrong with a form body, one "field: problem" per issue, for a 400 and its log line. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
}
