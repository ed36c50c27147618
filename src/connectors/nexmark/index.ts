/** The Nexmark connector: event model, configuration, generator and source. */
export * from './model.js';
export { nexmarkConfigFromParams, parseBaseTime, resolveNexmarkConfig, validateNexmarkConfig, NEXMARK_FLAGS } from './config.js';
export { NexmarkGenerator } from './generator.js';
export {
  NexmarkSource,
  NexmarkSourceReader,
  nexmarkWatermarkStrategy,
  nexmarkEvents,
  NEXMARK_BATCH_SIZE,
  NEXMARK_OUT_OF_ORDERNESS_MS,
  type NexmarkReaderState,
} from './nexmark-source.js';
