/**
 * The `_metadata` file, format version 1 (`docs/checkpoint-format.md` has the
 * byte-by-byte layout):
 *
 * | offset | size | field |
 * |---|---|---|
 * | 0 | 8 | magic `89 46 4C 4B 54 53 0D 0A` (`\x89FLKTS\r\n`) |
 * | 8 | 4 | format version, uint32 big-endian (1) |
 * | 12 | 4 | payload length L, uint32 big-endian |
 * | 16 | 4 | header check: the first 4 bytes of SHA-256 of bytes 0–15 |
 * | 20 | L | payload: the {@link CheckpointMetadata} as JSON, UTF-8, keys sorted, no whitespace |
 * | 20 + L | 32 | SHA-256 of bytes 0 … 20 + L − 1 |
 *
 * As in PNG, the high first byte catches 7-bit transfers and the CR LF
 * catches newline conversion. Magic and version come first and never move,
 * so any later version is recognised as such. The header check keeps a
 * flipped bit in the length from passing for truncation; the SHA-256 at the
 * end covers everything before it (a CRC would do against accidents, but
 * state files are SHA-256 already and one algorithm is simpler to explain).
 *
 * Decoding checks, in order: empty; magic; version; header length and header
 * check; total length (truncated / trailing bytes); SHA-256; UTF-8; JSON; the
 * structure of the JSON (`metadata-validate.ts`). Each failure is a
 * {@link CheckpointFormatError} naming the file and the reason. The encoding
 * of a given metadata value is deterministic (sorted keys), which the golden
 * fixture under `test/fixtures/checkpoint/` pins.
 */
import { createHash } from 'node:crypto';
import { FlinktsError } from '../../api/errors.js';
import { CheckpointFormatError } from './checkpoint-errors.js';
import type { CheckpointMetadata } from './metadata.js';
import { MalformedMetadata, validateMetadata } from './metadata-validate.js';

/** The 8 bytes every `_metadata` starts with. */
export const METADATA_MAGIC: Uint8Array = Uint8Array.of(0x89, 0x46, 0x4c, 0x4b, 0x54, 0x53, 0x0d, 0x0a);
/** The format version this code writes and the only one it reads. */
export const METADATA_FORMAT_VERSION = 1;
/** Magic, version, payload length, header check. */
export const METADATA_HEADER_SIZE = 20;
/** The SHA-256 after the payload. */
export const METADATA_TRAILER_SIZE = 32;
const HEADER_CHECK_SIZE = 4;
const MAX_PAYLOAD = 0xffff_ffff;

/**
 * The bytes of a `_metadata` file holding `metadata`. Throws an INTERNAL
 * error if `metadata` would not decode (the engine built something invalid):
 * a snapshot that cannot be read back is never written.
 */
export function encodeMetadata(metadata: CheckpointMetadata): Buffer {
  try {
    validateMetadata(JSON.parse(JSON.stringify(metadata)));
  } catch (error) {
    if (!(error instanceof MalformedMetadata)) throw error;
    throw new FlinktsError('INTERNAL', `cannot write _metadata: malformed content at ${error.path}: ${error.problem}`, { cause: error });
  }
  const payload = Buffer.from(sortedJson(metadata), 'utf8');
  if (payload.length > MAX_PAYLOAD) throw new FlinktsError('INTERNAL', `cannot write _metadata: ${payload.length} bytes of metadata exceed the 4 GiB format limit`);
  const out = Buffer.alloc(METADATA_HEADER_SIZE + payload.length + METADATA_TRAILER_SIZE);
  out.set(METADATA_MAGIC, 0);
  out.writeUInt32BE(METADATA_FORMAT_VERSION, 8);
  out.writeUInt32BE(payload.length, 12);
  sha256(out.subarray(0, 16)).copy(out, 16, 0, HEADER_CHECK_SIZE);
  payload.copy(out, METADATA_HEADER_SIZE);
  const end = METADATA_HEADER_SIZE + payload.length;
  sha256(out.subarray(0, end)).copy(out, end);
  return out;
}

/**
 * Decodes and validates a `_metadata` file's bytes (see the module comment).
 *
 * @param file - named in errors, e.g. the path of the file
 * @throws CheckpointFormatError with reason `empty`, `bad-magic`,
 *   `unknown-version`, `truncated`, `trailing-data`, `checksum-mismatch` or `malformed`
 */
export function decodeMetadata(bytes: Uint8Array, file: string): CheckpointMetadata {
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = data.length;
  if (size === 0) throw new CheckpointFormatError(file, 'empty', 'empty file (0 bytes): not a complete flinkts snapshot');
  const magicBytes = Math.min(size, METADATA_MAGIC.length);
  if (!data.subarray(0, magicBytes).equals(METADATA_MAGIC.subarray(0, magicBytes))) {
    throw new CheckpointFormatError(file, 'bad-magic', 'not a flinkts snapshot (bad magic number)');
  }
  if (size < 12) throw truncated(file, METADATA_HEADER_SIZE, size, 'at least ');
  const version = data.readUInt32BE(8);
  if (version !== METADATA_FORMAT_VERSION) {
    throw new CheckpointFormatError(file, 'unknown-version', `unknown format version ${version} (this flinkts reads version ${METADATA_FORMAT_VERSION})`, {
      hint: version > METADATA_FORMAT_VERSION ? 'it may have been written by a newer flinkts' : undefined,
    });
  }
  if (size < METADATA_HEADER_SIZE) throw truncated(file, METADATA_HEADER_SIZE, size, 'at least ');
  const headerCheck = sha256(data.subarray(0, 16)).subarray(0, HEADER_CHECK_SIZE);
  if (!headerCheck.equals(data.subarray(16, METADATA_HEADER_SIZE))) {
    throw new CheckpointFormatError(
      file,
      'checksum-mismatch',
      `checksum mismatch in the header: expected ${data.subarray(16, METADATA_HEADER_SIZE).toString('hex')}, computed ${headerCheck.toString('hex')}`,
    );
  }
  const length = data.readUInt32BE(12);
  const expected = METADATA_HEADER_SIZE + length + METADATA_TRAILER_SIZE;
  if (size < expected) throw truncated(file, expected, size, '');
  if (size > expected) {
    throw new CheckpointFormatError(file, 'trailing-data', `${size - expected} bytes after the end (expected ${expected} bytes, got ${size})`);
  }
  const end = METADATA_HEADER_SIZE + length;
  const digest = sha256(data.subarray(0, end));
  const recorded = data.subarray(end, expected);
  if (!digest.equals(recorded)) {
    throw new CheckpointFormatError(file, 'checksum-mismatch', `checksum mismatch: the file records SHA-256 ${recorded.toString('hex')}, its content has ${digest.toString('hex')}`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(data.subarray(METADATA_HEADER_SIZE, end));
  } catch (error) {
    throw new CheckpointFormatError(file, 'malformed', 'malformed content at $: the payload is not UTF-8', { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CheckpointFormatError(file, 'malformed', `malformed content at $: not JSON (${(error as Error).message})`, { cause: error });
  }
  try {
    return validateMetadata(json);
  } catch (error) {
    if (!(error instanceof MalformedMetadata)) throw error;
    throw new CheckpointFormatError(file, 'malformed', `malformed content at ${error.path}: ${error.problem}`, { cause: error });
  }
}

function truncated(file: string, expected: number, size: number, atLeast: string): CheckpointFormatError {
  return new CheckpointFormatError(file, 'truncated', `truncated (expected ${atLeast}${expected} bytes, got ${size})`);
}

function sha256(bytes: Uint8Array): Buffer {
  return createHash('sha256').update(bytes).digest();
}

/** JSON with the keys of every object sorted (UTF-16 code unit order) and no whitespace: the same value always gives the same bytes. */
export function sortedJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(v).sort()) sorted[key] = (v as Record<string, unknown>)[key];
    return sorted;
  });
}
