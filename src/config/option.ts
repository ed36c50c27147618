/**
 * What a configuration option is: a key, a value type, a default and a
 * description. Options are declared once, in `options.ts`, with
 * {@link defineOption}; loading, validation, `toJSON` and the documentation
 * table are all derived from that declaration.
 */
import { FlinktsError } from '../api/errors.js';

/** The value of a set option: what {@link OptionType.parse} produces. */
export type ConfigValue = string | number | boolean;

/**
 * How the values of one kind of option are read and written. Every option
 * value arrives as text (a `-D` argument, or the source text of a YAML scalar)
 * and goes through `parse`, so the file and the command line accept exactly
 * the same spellings.
 */
export interface OptionType<T extends ConfigValue> {
  /** The kind, for the docs' type column: `Integer`, `Duration`, `Memory size`, ... */
  readonly name: string;
  /** The accepted range in a few words for the docs (`≥ 1`), or `undefined` when any value of the kind is accepted. */
  readonly constraint: string | undefined;
  /** Completes "expected …" in error messages: `an integer ≥ 1`. */
  readonly expected: string;
  /** Shown under a bad-value error when the syntax needs explaining, e.g. the list of units. */
  readonly hint: string | undefined;
  /** Parses and range-checks `text`; `undefined` when it is not an accepted value. */
  parse(text: string): T | undefined;
  /** The canonical text of `value`, which `parse` maps back to `value`: `200 ms`, `32 KiB`. */
  format(value: T): string;
}

/** A default that depends on the machine, such as the number of cores; see {@link computedDefault}. */
export class ComputedDefault<T> {
  /**
   * @param compute - called each time a configuration is loaded.
   * @param description - what the docs show as the default, e.g. `number of cores`.
   */
  constructor(
    readonly compute: () => T,
    readonly description: string,
  ) {}
}

/**
 * A default computed when the configuration is loaded rather than fixed in
 * the registry, so the generated docs stay the same on every machine.
 */
export function computedDefault<T>(compute: () => T, description: string): ComputedDefault<T> {
  return new ComputedDefault(compute, description);
}

/**
 * One configuration option. `T` is its value type; it includes `undefined`
 * for an option without a default (such as `pipeline.name`). Create options
 * with {@link defineOption}; read them with `FlinktsConfig.get(option)`.
 */
export class ConfigOption<T extends ConfigValue | undefined> {
  /** The dotted key, as written in the file and after `-D`: `parallelism.default`. */
  readonly key: string;
  /** How values are parsed, checked and written. */
  readonly type: OptionType<NonNullable<T>>;
  /** What the option does, for the docs (Markdown, one paragraph). */
  readonly description: string;
  /** Whether the value is redacted as `******` in `toJSON()` and error messages. */
  readonly secret: boolean;
  /** The default as the docs show it: `200 ms`, `number of cores`, or `undefined` when there is none. */
  readonly defaultText: string | undefined;
  /** Whether the default is computed on the machine, so `defaultText` describes it rather than spelling a value. */
  readonly defaultIsComputed: boolean;
  private readonly defaultSource: T | ComputedDefault<T>;

  /** @internal Use {@link defineOption}, which also checks the default. */
  constructor(spec: OptionSpec<NonNullable<T>>, defaultSource: T | ComputedDefault<T>) {
    this.key = spec.key;
    this.type = spec.type;
    this.description = spec.description;
    this.secret = spec.secret ?? false;
    this.defaultSource = defaultSource;
    this.defaultIsComputed = defaultSource instanceof ComputedDefault;
    this.defaultText =
      defaultSource instanceof ComputedDefault
        ? defaultSource.description
        : defaultSource === undefined
          ? undefined
          : spec.type.format(defaultSource as NonNullable<T>);
  }

  /** The value when nothing sets the option; a computed default is computed on each call. */
  defaultValue(): T {
    return this.defaultSource instanceof ComputedDefault ? this.defaultSource.compute() : this.defaultSource;
  }
}

/** Any option, whatever its value type: the element type of registries. */
export type AnyConfigOption = ConfigOption<ConfigValue | undefined>;

/** The parts of an option declaration shared by options with and without a default. */
export interface OptionSpec<T extends ConfigValue> {
  /** The dotted key, using Flink's name when Flink has the option. */
  key: string;
  /** The value type, from `option-types.ts`. */
  type: OptionType<T>;
  /** What the option does and what its values mean. */
  description: string;
  /** Redact the value in `toJSON()` and messages (passwords, tokens). */
  secret?: boolean;
}

/**
 * Declares an option. With a `default` (a value, or {@link computedDefault})
 * the option always has a value; without one its value type includes
 * `undefined`. A fixed default must be a valid value of the type: a mistake
 * in the registry fails when the module loads, not when a user sets the option.
 *
 * @example
 * export const PARALLELISM_DEFAULT = defineOption({
 *   key: 'parallelism.default',
 *   type: integerType({ min: 1 }),
 *   default: 1,
 *   description: 'Parallelism of operators that set none.',
 * });
 */
export function defineOption<T extends ConfigValue>(spec: OptionSpec<T> & { default: T | ComputedDefault<T> }): ConfigOption<T>;
export function defineOption<T extends ConfigValue>(spec: OptionSpec<T> & { default?: undefined }): ConfigOption<T | undefined>;
export function defineOption<T extends ConfigValue>(
  spec: OptionSpec<T> & { default?: T | ComputedDefault<T> },
): ConfigOption<T> | ConfigOption<T | undefined> {
  const fallback = spec.default;
  if (fallback !== undefined && !(fallback instanceof ComputedDefault) && spec.type.parse(spec.type.format(fallback)) !== fallback) {
    throw new FlinktsError(
      'INTERNAL',
      `configuration option '${spec.key}': the default ${JSON.stringify(fallback)} is not ${spec.type.expected}`,
    );
  }
  return new ConfigOption<T | undefined>(spec, fallback);
}
