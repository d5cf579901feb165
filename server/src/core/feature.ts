/**
 * A feature module of the gateway (devices, harvest, delivery, api, observability): its constructor
 * only assigns; start() opens and starts what it owns, stop() drains and releases it. The Gateway
 * starts the modules in list order and stops them in reverse, so the drain order is the list order.
 */
export interface Feature {
  /** Short name for logs, e.g. "delivery". */
  readonly name: string;
  start(): Promise<void> | void;
  /** Called once, also after a failed start of a later module; must not throw for a half-started module. */
  stop(): Promise<void> | void;
}
