/**
 * What a demo run started, released in reverse order exactly once: by the run itself when it
 * ends, or by the signal handler when the user interrupts it.
 */
export class CleanupStack {
  private readonly steps: { what: string; run: () => Promise<void> }[] = [];
  private released?: Promise<string[]>;

  add(what: string, run: () => Promise<void>): void {
    this.steps.push({ what, run });
  }

  /** Runs every step (last added first); returns the failures, one line each. */
  release(): Promise<string[]> {
    this.released ??= (async () => {
      const failures: string[] = [];
      for (const step of this.steps.reverse()) {
        try {
          await step.run();
        } catch (error) {
          failures.push(`${step.what}: ${(error as Error).message}`);
        }
      }
      return failures;
    })();
    return this.released;
  }
}
