/** How one queued item of a batch ended. */
export type Outcome<O> = { ok: true; value: O } | { ok: false; error: unknown };

/** Settles each queued item with its outcome; one without an outcome (a bug) rejects rather than hangs. */
export function settleBatch<O>(
  batch: ReadonlyArray<{ resolve: (value: O) => void; reject: (error: unknown) => void }>,
  outcomes: ReadonlyArray<Outcome<O>>,
  what: string,
): void {
  batch.forEach((item, i) => {
    const outcome = outcomes[i] ?? { ok: false, error: new Error(`${what} lost an item`) };
    if (outcome.ok) item.resolve(outcome.value);
    else item.reject(outcome.error);
  });
}
