import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { withDiagram } from '../../scripts/update-diagram.js';
import { conversationMachine } from '../../src/core/conversation-machine.js';
import { machineDiagram } from '../../src/core/machine-diagram.js';

describe('the state diagram in the README', () => {
  const diagram = machineDiagram(conversationMachine);

  it('is the one generated from the machine (run npm run diagram after changing the machine)', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(withDiagram(readme, diagram)).toBe(readme);
  });

  it('shows every state and the transitions that leave it', () => {
    for (const state of [
      'fresh',
      'askingProduct',
      'askingAsker',
      'deciding',
      'advised',
      'waiting',
      'human',
      'optedOut',
      'closed',
    ]) {
      expect(diagram).toContain(state);
    }
    expect(diagram).toMatch(/open --> optedOut: .*user\.optedOut/);
    expect(diagram).toMatch(/deciding --> waiting: .*\[isConflict\]/);
    expect(diagram).toMatch(/human --> resume: .*timer\.idleDue/);
  });
});
