/**
 * Typed errors of the ARI adapter. ari-client loses HTTP statuses; the adapter keeps them.
 */
export class AriError extends Error {
  override name = 'AriError';
  constructor(
    message: string,
    readonly operation: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** 404: the channel, playback or bridge is gone (e.g. the caller hung up). */
export class AriNotFoundError extends AriError {
  override name = 'AriNotFoundError';
}

/** The request got no answer in time. */
export class AriTimeoutError extends AriError {
  override name = 'AriTimeoutError';
}

/** Asterisk is not reachable, or the connection is down. */
export class AriUnreachableError extends AriError {
  override name = 'AriUnreachableError';
}

/** Asterisk answered 401: wrong ARI username or password. */
export class AriAuthError extends AriError {
  override name = 'AriAuthError';
}

export function isNotFound(e: unknown): e is AriNotFoundError {
  return e instanceof AriNotFoundError;
}
