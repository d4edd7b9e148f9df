import type { AnyStateMachine } from 'xstate';

interface Node {
  id: string;
  key: string;
  type: string;
  states: Record<string, Node>;
  transitions: Map<string, { target?: readonly Node[]; guard?: unknown }[]>;
  always?: { target?: readonly Node[]; guard?: unknown }[];
  initial?: { target: readonly Node[] };
}

const name = (node: Node): string => node.key;

function guardName(guard: unknown): string {
  if (typeof guard === 'string') return guard;
  if (guard !== null && typeof guard === 'object' && 'type' in guard) return String((guard as { type: unknown }).type);
  return guard === undefined ? '' : 'guard';
}

function lines(node: Node, indent: string, out: string[]): void {
  const children = Object.values(node.states);
  for (const child of children) {
    if (Object.keys(child.states).length > 0) {
      out.push(`${indent}state ${name(child)} {`);
      lines(child, `${indent}  `, out);
      out.push(`${indent}}`);
    }
  }
  if (node.initial && node.initial.target[0]) out.push(`${indent}[*] --> ${name(node.initial.target[0])}`);
  for (const child of children) {
    const edges = new Map<string, Set<string>>();
    const add = (target: Node, label: string): void => {
      const key = name(target);
      edges.set(key, new Set([...(edges.get(key) ?? []), label]));
    };
    for (const [event, transitions] of child.transitions) {
      for (const t of transitions)
        for (const target of t.target ?? []) add(target, event + (t.guard ? ` [${guardName(t.guard)}]` : ''));
    }
    for (const t of child.always ?? [])
      for (const target of t.target ?? []) add(target, `always${t.guard ? ` [${guardName(t.guard)}]` : ''}`);
    for (const [target, labels] of [...edges].sort(([a], [b]) => a.localeCompare(b))) {
      out.push(`${indent}${name(child)} --> ${target}: ${[...labels].sort().join(', ')}`);
    }
    if (child.type === 'final') out.push(`${indent}${name(child)} --> [*]`);
  }
}

/**
 * The machine as a Mermaid state diagram, generated from the machine itself so the README's
 * picture cannot drift from the code (a test compares them).
 */
export function machineDiagram(machine: AnyStateMachine): string {
  const out = ['stateDiagram-v2'];
  lines(machine.root as unknown as Node, '  ', out);
  return out.join('\n');
}
