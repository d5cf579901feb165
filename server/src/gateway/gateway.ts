/**
 * Starts the feature modules in order and stops them in reverse (zigbee2mqtt's controller and its
 * extensions are the model). A failed start stops the modules already started, then rethrows; stop()
 * is idempotent and stops every started module even when one of them fails to stop.
 */
import type { Feature } from '../core/feature.ts';
import { describeError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';

export class Gateway {
  private readonly features: readonly Feature[];
  private readonly logger: Logger;
  private readonly started: Feature[] = [];
  private stopping: Promise<void> | undefined;

  constructor(features: readonly Feature[], logger: Logger) {
    this.features = features;
    this.logger = logger;
  }

  /** Starts every module in list order; on a failure, stops the started ones (reverse) and rethrows. */
  async start(): Promise<void> {
    for (const feature of this.features) {
      this.started.push(feature);
      try {
        await feature.start();
      } catch (error) {
        await this.stop();
        throw error;
      }
    }
  }

  /** Stops the started modules in reverse order; a module that fails to stop is logged, the rest still stop. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      for (const feature of this.started.splice(0).reverse()) {
        try {
          await feature.stop();
        } catch (error) {
          this.logger.error({ feature: feature.name, err: describeError(error) }, 'error while stopping');
        }
      }
    })();
    return this.stopping;
  }
}
