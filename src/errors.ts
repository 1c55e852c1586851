/**
 * Errors a user can act on. The CLI prints `message` as one line (no stack unless --verbose) and the API maps
 * them to 4xx JSON; anything else is a bug and is reported as such.
 */
export class UserError extends Error {
  /** HTTP status when raised inside a request. */
  readonly status: number = 400;
  readonly code: string = 'bad_request';
}

/** A file or record that cannot be read: the message names file:line or the field. */
export class InputError extends UserError {
  override readonly code = 'bad_input';
}

export class NotFoundError extends UserError {
  override readonly status = 404;
  override readonly code = 'not_found';
}

/** The store could not be opened or reached (bad path, PostgreSQL not answering). */
export class StoreUnavailableError extends UserError {
  override readonly status = 503;
  override readonly code = 'store_unavailable';
}
