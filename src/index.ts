/**
 * The package entry point (`flinkts`): the DataStream API plus the built-in
 * connectors. The side-effect import registers the built-in sources and sinks
 * before any job definition can ask for them.
 */
import './connectors/builtins.js';

export * from './api/index.js';
export { DiscardingSink } from './connectors/discard/discarding-sink.js';
