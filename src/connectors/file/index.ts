/** The file connector: `FileSource` (text, JSON lines, CSV) and `FileSink` (row and bulk formats). */
export { FileSource, FileSourceBuilder, FileProcessingMode } from './file-source.js';
export { FILE_SOURCE_BUCKETS, type FileBucketState, type FileSplit } from './file-source-reader.js';
export { isExcludedByDefault, type FileFilter, type FilePathFilter } from './file-listing.js';
export { TextLineFormat, JsonLinesFormat, type JsonLinesFormatOptions, type RecordStreamFormat, type FileFormatState } from './record-formats.js';
export { CsvFormat, type CsvFormatOptions } from './csv-format.js';
export { FileSink, RowFormatBuilder, BulkFormatBuilder } from './file-sink.js';
export { TRUNCATED_COUNTER, type InProgressFileState } from './file-sink-writer.js';
export { FileCommitter, type FileSinkCommittable } from './file-committer.js';
export {
  SimpleStringEncoder,
  JsonLinesBulkFormat,
  CsvBulkFormat,
  OutputFileConfig,
  OutputFileConfigBuilder,
  type Encoder,
  type BulkWriter,
  type BulkWriterFactory,
  type CsvBulkFormatOptions,
} from './encoders.js';
export {
  DefaultRollingPolicy,
  DefaultRollingPolicyBuilder,
  CheckpointRollingPolicy,
  OnCheckpointRollingPolicy,
  type RollingPolicy,
  type PartFileInfo,
} from './rolling-policies.js';
export { DateTimeBucketAssigner, BasePathBucketAssigner, type BucketAssigner, type BucketAssignerContext } from './bucket-assigners.js';
