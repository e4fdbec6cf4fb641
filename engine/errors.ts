// Errors sorted by who must act (STYLE.md 4). Only the CLI entry point turns them into exit codes.
// Every message names the cause; `hint` says what to do. Never put a secret in either.

export interface SourcePosition {
  file: string; // path relative to the project directory
  line: number; // 1-based
  col: number; // 1-based
}

/** Base of all errors t2t expects and explains. */
export abstract class T2tError extends Error {
  abstract readonly who: 'user' | 'tenant' | 'internal';
  constructor(
    message: string,
    readonly code: string,
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The user must act: bad manifests, bad options, missing environment variables, refused applies. */
export class UserError extends T2tError {
  readonly who = 'user' as const;
  constructor(message: string, code: string, hint?: string, readonly position?: SourcePosition, options?: { cause?: unknown }) {
    super(message, code, hint, options);
  }
}

/** A tenant refused or failed a request: names the tenant, the object and the service's request id. */
export class TenantError extends T2tError {
  readonly who = 'tenant' as const;
  constructor(
    message: string,
    code: string,
    readonly details: {
      tenant: string;
      object?: string;
      status?: number;
      requestId?: string;
      retryable?: boolean;
    },
    hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, code, hint, options);
  }
}

/** A bug in t2t: the user should report it. */
export class InternalError extends T2tError {
  readonly who = 'internal' as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'internal', 'this is a bug in t2t: please report it with the output of --debug', options);
  }
}
