/**
 * A typed key-value map handed to rich functions through
 * `withParameters(configuration)` and `open(parameters)`, as in Flink.
 */
export class Configuration {
  private readonly entries = new Map<string, string | number | boolean>();

  /** Creates a configuration, optionally from plain entries. */
  constructor(entries?: Record<string, string | number | boolean>) {
    if (entries) for (const [key, value] of Object.entries(entries)) this.entries.set(key, value);
  }

  set(key: string, value: string | number | boolean): this {
    this.entries.set(key, value);
    return this;
  }

  setString(key: string, value: string): this {
    return this.set(key, value);
  }

  setInteger(key: string, value: number): this {
    return this.set(key, Math.trunc(value));
  }

  setBoolean(key: string, value: boolean): this {
    return this.set(key, value);
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  getString(key: string, defaultValue: string): string;
  getString(key: string): string | undefined;
  getString(key: string, defaultValue?: string): string | undefined {
    const value = this.entries.get(key);
    return value === undefined ? defaultValue : String(value);
  }

  getInteger(key: string, defaultValue: number): number {
    const value = this.entries.get(key);
    if (value === undefined) return defaultValue;
    const parsed = typeof value === 'number' ? value : Number(value);
    return Number.isFinite(parsed) ? Math.trunc(parsed) : defaultValue;
  }

  getNumber(key: string, defaultValue: number): number {
    const value = this.entries.get(key);
    if (value === undefined) return defaultValue;
    const parsed = typeof value === 'number' ? value : Number(value);
    return Number.isFinite(parsed) ? parsed : defaultValue;
  }

  getBoolean(key: string, defaultValue: boolean): boolean {
    const value = this.entries.get(key);
    if (value === undefined) return defaultValue;
    if (typeof value === 'boolean') return value;
    return String(value).toLowerCase() === 'true';
  }

  keySet(): string[] {
    return [...this.entries.keys()];
  }

  toMap(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [key, value] of this.entries) out[key] = String(value);
    return out;
  }
}
