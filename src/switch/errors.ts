/** An error answered to the ARI client exactly as Asterisk does: `{ "message": … }` with a status. */
export class AriError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = 'AriError';
    this.status = status;
  }
}

export const channelNotFound = (): AriError => new AriError(404, 'Channel not found');
export const notInStasis = (): AriError => new AriError(409, 'Channel not in Stasis application');
export const invalidState = (): AriError => new AriError(412, 'Channel in invalid state');
export const playbackNotFound = (): AriError => new AriError(404, 'Playback not found');
export const bridgeNotFound = (): AriError => new AriError(404, 'Bridge not found');
