/** A tool the devstack needs is not installed; the message says how to install it. */
export class PrerequisiteError extends Error {
  readonly code = 'PREREQUISITE_MISSING';
  constructor(
    readonly tool: string,
    readonly install: string,
  ) {
    super(`${tool} was not found: install it with \`${install}\``);
    this.name = 'PrerequisiteError';
  }
}

/** The start was interrupted (Ctrl-C during `stack:up`); what was started has been stopped. */
export class StartInterruptedError extends Error {
  readonly code = 'START_INTERRUPTED';
  constructor() {
    super('interrupted: every server started so far was stopped and its data deleted');
    this.name = 'StartInterruptedError';
  }
}

/** A server did not answer in time, or exited; carries the tail of its own log. */
export class ServerStartError extends Error {
  readonly code = 'SERVER_START_FAILED';
  constructor(server: string, reason: string, logTail: string) {
    super(
      `${server} did not come up: ${reason}${logTail ? `\n--- ${server} log (tail) ---\n${logTail}` : ''}`,
    );
    this.name = 'ServerStartError';
  }
}

/** A setting has a value the devstack cannot use; the message names the values it accepts. */
export class SettingError extends Error {
  readonly code = 'INVALID_SETTING';
  constructor(
    readonly setting: string,
    value: string,
    accepted: string,
  ) {
    // The value is quoted as JSON: even one with a line break in it stays on the one line.
    super(`${setting}=${JSON.stringify(value)} is not accepted: use ${accepted}`);
    this.name = 'SettingError';
  }
}

/** A command line `troupe-stack` does not accept, or asks for what cannot be done as asked; one line. */
export class UsageError extends Error {
  readonly code = 'USAGE';
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
