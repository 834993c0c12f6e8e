/** Thrown when the training loss is NaN or infinite; the offending update is not applied. */
export class NonFiniteLossError extends Error {
  constructor(
    /** Epoch index (0-based). */
    readonly epoch: number,
    /** Batch index within the epoch (0-based). */
    readonly batch: number,
    /** The loss value. */
    readonly loss: number,
    /** The last checkpoint written (or resumed from), if any: it is left untouched. */
    readonly checkpoint: string | null,
  ) {
    super(
      `trainNetwork: the training loss is ${loss} at epoch ${epoch}, batch ${batch} (both counted from 0); ` +
        `training stopped before applying that update. ` +
        (checkpoint === null ? 'No checkpoint was written.' : `The last good checkpoint is ${checkpoint}.`),
    );
    this.name = 'NonFiniteLossError';
  }
}
