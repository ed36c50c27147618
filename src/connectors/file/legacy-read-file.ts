/**
 * `env.readFile(format, path, watchType, intervalMs, filter)`, Flink's legacy
 * file reading, mapped onto the `FileSource`: `PROCESS_ONCE` is
 * `processStaticFileSet()`, `PROCESS_CONTINUOUSLY` is
 * `monitorContinuously(intervalMs)` plus the legacy rule that a file modified
 * after it was read is read again, whole. Same guarantees as the `FileSource`.
 */
import type { FileProcessingModeName, FileReadFormat, PathFilter } from '../../api/builtins.js';
import type { Source } from '../../api/source.js';
import { FileSource } from './file-source.js';

/** The source behind `env.readFile`. */
export function legacyFileSource<T>(format: FileReadFormat<T>, path: string, mode: FileProcessingModeName, intervalMs: number, filter: PathFilter | undefined): Source<T> {
  const builder = FileSource.forRecordStreamFormat(format, path);
  if (mode === 'PROCESS_CONTINUOUSLY') builder.monitorContinuously(intervalMs).reprocessModifiedFiles();
  if (filter !== undefined) builder.setFileFilter(filter);
  return builder.build();
}
