/**
 * Loading a configuration: option defaults, overridden by the configuration
 * file, overridden by `-D key=value` arguments. Everything is validated while
 * loading, so a typo or a bad value fails before any work starts, naming the
 * file position or the `-D` argument.
 */
import { FlinktsError } from '../api/errors.js';
import type { AnyConfigOption, ConfigOption, ConfigValue } from './option.js';
import { DEFAULT_REGISTRY, OptionRegistry } from './registry.js';
import { readConfigFile, type FileValue } from './yaml-file.js';

/** What `toJSON()` shows in place of a secret option's value. */
export const REDACTED = '******';

/** Where to read the configuration from; see {@link loadConfig}. */
export interface LoadConfigOptions {
  /** Path of a YAML configuration file (`--config flinkts-conf.yaml`), relative to the working directory. */
  file?: string;
  /** `-D` arguments without the `-D`, each `key=value`; a later one for the same key wins. */
  dynamicProperties?: readonly string[];
  /** The options to accept; {@link DEFAULT_REGISTRY} (every flinkts option) unless given. */
  registry?: OptionRegistry;
}

/** A value as `toJSON()` shows it: `null` for an option with neither a value nor a default. */
export type ConfigJsonValue = ConfigValue | null;

/** A loaded, validated configuration. */
export interface FlinktsConfig {
  /** The effective value of `option`: set by `-D`, else by the file, else its default. */
  get<T extends ConfigValue | undefined>(option: ConfigOption<T>): T;
  /** Whether the file or a `-D` argument set `option` (even to its default value). */
  isSet(option: AnyConfigOption): boolean;
  /**
   * Every option's effective value by key, sorted by key: durations in
   * milliseconds, memory sizes in bytes, `null` when unset without default,
   * and {@link REDACTED} for a secret option that has a value.
   */
  toJSON(): Record<string, ConfigJsonValue>;
}

/**
 * Loads the configuration: defaults < the YAML `file` < `dynamicProperties`.
 *
 * @throws FlinktsError `CONFIG` for an unreadable or malformed file, an
 *   unknown key or a bad value (the message names `file:line:column` or the
 *   `-D` argument); `USAGE` for a `-D` argument that is not `key=value`.
 */
export function loadConfig(options: LoadConfigOptions = {}): FlinktsConfig {
  const registry = options.registry ?? DEFAULT_REGISTRY;
  const values = new Map<string, ConfigValue>();
  if (options.file !== undefined) {
    const firstPlace = new Map<string, string>();
    // A map is flattened unless its key is an option that no longer key continues: then the map is misplaced.
    const isLeaf = (key: string): boolean => registry.find(key) !== undefined && !registry.hasKeysUnder(key);
    const entries = readConfigFile(options.file, isLeaf);
    for (const entry of entries) {
      const option = knownOption(registry, entry.key, () => entry.keyPlace);
      const previous = firstPlace.get(entry.key);
      if (previous !== undefined) {
        throw new FlinktsError('CONFIG', `${entry.keyPlace}: ${entry.key}: set twice in the file (first at ${previous})`, {
          hint: 'keep one of the two',
        });
      }
      firstPlace.set(entry.key, entry.keyPlace);
      values.set(entry.key, parseValue(option, entry.value, `${entry.valuePlace}: ${entry.key}`));
    }
  }
  for (const property of options.dynamicProperties ?? []) {
    const separator = property.indexOf('=');
    const key = separator < 0 ? '' : property.slice(0, separator).trim();
    if (key === '') {
      throw new FlinktsError('USAGE', `-D '${property}': expected key=value`, { hint: 'e.g. -D parallelism.default=4' });
    }
    const text = property.slice(separator + 1);
    // The value may be a secret even when the key is misspelt: redact it if the key is, or looks like, a secret one.
    const place = (secret: boolean): string => `-D ${key}=${secret ? REDACTED : text}`;
    const option = knownOption(registry, key, place);
    values.set(key, parseValue(option, { kind: 'scalar', text }, place(option.secret)));
  }
  return new LoadedConfig(registry, values);
}

/** The option `key` names; otherwise an error at `place(whether the suggested key is secret)`. */
function knownOption(registry: OptionRegistry, key: string, place: (secret: boolean) => string): AnyConfigOption {
  const option = registry.find(key);
  if (option !== undefined) return option;
  const suggestion = registry.suggest(key);
  const secret = suggestion !== undefined && registry.find(suggestion)?.secret === true;
  throw new FlinktsError('CONFIG', `${place(secret)}: unknown configuration key '${key}'`, {
    hint: suggestion === undefined ? 'docs/configuration.md lists every option' : `did you mean '${suggestion}'?`,
  });
}

function parseValue(option: AnyConfigOption, value: FileValue, place: string): ConfigValue {
  const { type } = option;
  const parsed = value.kind === 'scalar' ? type.parse(value.text) : undefined;
  if (parsed !== undefined) return parsed;
  const found = value.kind === 'map' ? ', got a map' : value.kind === 'list' ? ', got a list' : value.kind === 'empty' ? ', got nothing' : '';
  const hint = value.kind === 'empty' ? 'give a value, or remove the line to keep the default' : type.hint;
  throw new FlinktsError('CONFIG', `${place}: expected ${type.expected}${found}`, hint === undefined ? {} : { hint });
}

class LoadedConfig implements FlinktsConfig {
  constructor(
    private readonly registry: OptionRegistry,
    private readonly values: ReadonlyMap<string, ConfigValue>,
  ) {}

  get<T extends ConfigValue | undefined>(option: ConfigOption<T>): T {
    this.check(option);
    return this.values.has(option.key) ? (this.values.get(option.key) as T) : option.defaultValue();
  }

  isSet(option: AnyConfigOption): boolean {
    this.check(option);
    return this.values.has(option.key);
  }

  toJSON(): Record<string, ConfigJsonValue> {
    const json: Record<string, ConfigJsonValue> = {};
    for (const option of this.registry.options) {
      const value = this.get(option);
      json[option.key] = value === undefined ? null : option.secret ? REDACTED : value;
    }
    return json;
  }

  private check(option: AnyConfigOption): void {
    if (!this.registry.has(option)) {
      throw new FlinktsError('INTERNAL', `configuration option '${option.key}' is not in the registry this configuration was loaded with`, {
        hint: 'declare it in src/config/options.ts',
      });
    }
  }
}
