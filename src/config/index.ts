/**
 * Configuration: every option in one typed registry, `flinkts-conf.yaml`
 * loading and `-D key=value` overrides.
 *
 * @example
 * const config = loadConfig({ file: 'flinkts-conf.yaml', dynamicProperties: ['parallelism.default=4'] });
 * const slots = config.get(TASKMANAGER_NUMBER_OF_TASK_SLOTS); // number
 */
export {
  ConfigOption,
  ComputedDefault,
  computedDefault,
  defineOption,
  type AnyConfigOption,
  type ConfigValue,
  type OptionSpec,
  type OptionType,
} from './option.js';
export {
  booleanType,
  durationType,
  enumType,
  integerType,
  memoryType,
  stringType,
  type IntegerBounds,
  type MemoryBounds,
} from './option-types.js';
export * from './options.js';
export { ALL_OPTIONS, DEFAULT_REGISTRY, OptionRegistry } from './registry.js';
export { loadConfig, REDACTED, type ConfigJsonValue, type FlinktsConfig, type LoadConfigOptions } from './load.js';
export { renderConfigurationMarkdown } from './docs.js';
export { formatDuration, formatMemorySize, parseDuration, parseMemorySize } from './units.js';
export { editDistance, suggestKey } from './suggest.js';
