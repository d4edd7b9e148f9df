/**
 * A conversation snapshot kept as the JSON text it is stored as, beside the object that carries it,
 * and parsed only if something reads it (issue 11). A decision made on the decide thread comes back
 * to the main thread with its snapshot as text, which the store writes as it is: the main thread
 * no longer reads the snapshot's object graph out of the thread's message nor stringifies it again.
 * (The saved snapshot still goes to the thread as an object: decided on a snapshot parsed from
 * JSON there, the conversation machine's context updates ran several times slower.) The texts are
 * held in a WeakMap: a copy made with a spread reads the snapshot (parsing it) and drops the text,
 * which costs time, never correctness.
 */
const texts = new WeakMap<object, string>();

/** `fields` plus a `snapshot` parsed from `text` on its first read; snapshotTextOf gives `text` back. */
export function withSnapshotText<T extends object>(
  fields: T,
  text: string,
  parse: (text: string) => unknown = JSON.parse,
): T & { snapshot: unknown } {
  let parsed: { value: unknown } | undefined;
  const holder = Object.defineProperty({ ...fields }, 'snapshot', {
    enumerable: true,
    get: () => (parsed ??= { value: parse(text) }).value,
  }) as T & { snapshot: unknown };
  texts.set(holder, text);
  return holder;
}

/** The JSON text `holder`'s snapshot was made from, when withSnapshotText made it. */
export function snapshotTextOf(holder: object): string | undefined {
  return texts.get(holder);
}

/** A holder as it crosses to another thread: its snapshot as JSON text. */
export type Packed<T extends { snapshot: unknown }> = Omit<T, 'snapshot'> & { snapshotText: string };

/** What to post to another thread for `holder`: its fields, and its snapshot as the text it came from or as JSON written here. */
export function packSnapshot<T extends { snapshot: unknown }>(holder: T): Packed<T> {
  const fields: Record<string, unknown> = {};
  for (const key of Object.keys(holder)) {
    if (key !== 'snapshot') fields[key] = (holder as Record<string, unknown>)[key];
  }
  return { ...fields, snapshotText: texts.get(holder) ?? JSON.stringify(holder.snapshot) } as Packed<T>;
}

/** `packed` as packSnapshot's caller held it, its snapshot parsed only when read. */
export function unpackSnapshot<T extends { snapshot: unknown }>(packed: Packed<T>): T {
  const { snapshotText, ...fields } = packed;
  return withSnapshotText(fields, snapshotText) as unknown as T;
}
