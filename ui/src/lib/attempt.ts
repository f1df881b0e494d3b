// One way to call the backend from a form: the error becomes the message the form shows.

/** Runs `call`; on failure hands its message to `fail` and returns null. */
export async function attempt<T>(call: () => Promise<T>, fail: (message: string) => void): Promise<T | null> {
  try {
    return await call();
  } catch (e) {
    fail(e instanceof Error ? e.message : String(e));
    return null;
  }
}
