/**
 * The registry: every option exported by `options.ts`, looked up by key.
 * Collected from the module's exports so that adding an option is one entry.
 */
import { FlinktsError } from '../api/errors.js';
import { type AnyConfigOption, ConfigOption } from './option.js';
import * as declared from './options.js';
import { suggestKey } from './suggest.js';

/** A set of options by key: what a configuration is loaded and validated against. */
export class OptionRegistry {
  /** The options, sorted by key. */
  readonly options: readonly AnyConfigOption[];
  private readonly byKey: ReadonlyMap<string, AnyConfigOption>;

  /** @throws FlinktsError (`INTERNAL`) when two options share a key. */
  constructor(options: Iterable<AnyConfigOption>) {
    const byKey = new Map<string, AnyConfigOption>();
    for (const option of options) {
      if (byKey.has(option.key)) {
        throw new FlinktsError('INTERNAL', `configuration option '${option.key}' is declared twice`);
      }
      byKey.set(option.key, option);
    }
    this.byKey = byKey;
    this.options = [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /** The option with exactly this key (keys are case-sensitive, as in Flink). */
  find(key: string): AnyConfigOption | undefined {
    return this.byKey.get(key);
  }

  /** Whether `option` itself (not merely an option with its key) belongs to this registry. */
  has(option: AnyConfigOption): boolean {
    return this.byKey.get(option.key) === option;
  }

  /** Whether some option's key continues `key` with a further dotted part (`pipeline` → `pipeline.name`). */
  hasKeysUnder(key: string): boolean {
    const prefix = `${key}.`;
    return this.options.some((option) => option.key.startsWith(prefix));
  }

  /** The registered key an unknown `key` is probably a typo of; see {@link suggestKey}. */
  suggest(key: string): string | undefined {
    return suggestKey(key, this.byKey.keys());
  }
}

/** The registry of every flinkts option. */
export const DEFAULT_REGISTRY = new OptionRegistry(
  Object.values(declared).filter((value: unknown): value is AnyConfigOption => value instanceof ConfigOption),
);

/** Every flinkts configuration option, sorted by key. */
export const ALL_OPTIONS: readonly AnyConfigOption[] = DEFAULT_REGISTRY.options;
