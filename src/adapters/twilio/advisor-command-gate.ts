import { createHash, timingSafeEqual } from 'node:crypto';

/** How texts from PJ's number are let through: ADVISOR_COMMAND_PIN, and the limits. */
export interface CommandGateOptions {
  /** ADVISOR_COMMAND_PIN (4-12 digits), or null: the number alone is enough. */
  pin: string | null;
  /** Texts from PJ's number looked at per rolling minute; the rest are ignored. */
  perMinute: number;
  /** After this many wrong PINs within `lockMs`, nothing from the number runs until the oldest is that old. */
  wrongPins: number;
  lockMs: number;
}

export const COMMAND_LIMITS = { perMinute: 20, wrongPins: 5, lockMs: 15 * 60_000 } as const;

/**
 * What may run: the command without its PIN, or why nothing runs. `command` is the text without
 * anything that looked like a PIN, to say what was asked for (never to run it).
 */
export type Admission = { ok: true; text: string } | { ok: false; reason: 'rate' | 'locked' | 'pin'; command: string };

const PIN_SHAPED = /^\d{4,12}$/;

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/** Compares in constant time whatever the lengths. */
function samePin(given: string, pin: string): boolean {
  return timingSafeEqual(digest(given), digest(pin));
}

function firstWord(text: string): { word: string; rest: string } {
  const match = /^(\S*)\s*([\s\S]*)$/.exec(text.trim());
  return { word: match?.[1] ?? '', rest: match?.[2] ?? '' };
}

/**
 * In front of PJ's commands: at most `perMinute` texts a minute, then the PIN. Counts are kept in
 * this process's memory (one instance's view; a restart forgets them).
 */
export function createCommandGate(options: CommandGateOptions) {
  const seen: number[] = [];
  const wrong: number[] = [];
  const prune = (times: number[], since: number) => {
    while (times.length > 0 && (times[0] ?? 0) <= since) times.shift();
  };

  return {
    admit(text: string, now: number): Admission {
      const { word, rest } = firstWord(text);
      // A missing or wrong PIN leaves its first word out of what is reported only when it looked like a PIN.
      const command = () => (PIN_SHAPED.test(word) ? rest : text.trim());
      prune(seen, now - 60_000);
      if (seen.length >= options.perMinute) return { ok: false, reason: 'rate', command: command() };
      seen.push(now);
      if (options.pin === null) return { ok: true, text };
      prune(wrong, now - options.lockMs);
      if (wrong.length >= options.wrongPins) return { ok: false, reason: 'locked', command: command() };
      if (samePin(word, options.pin)) return { ok: true, text: rest };
      wrong.push(now);
      return { ok: false, reason: 'pin', command: command() };
    },
  };
}

export type CommandGate = ReturnType<typeof createCommandGate>;
