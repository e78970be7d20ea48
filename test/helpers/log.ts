import { createLogger, type Logger } from '../../ts/lib/support/log.js';

/** A logger that drops every event. */
export const silentLogger: Logger = createLogger(() => undefined);
