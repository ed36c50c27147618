/**
 * Reads the lines of one file from a byte offset, synchronously, keeping the
 * byte position and the number of every line, so that a file source can
 * checkpoint "the next line starts at byte b and is line n" and resume there
 * exactly.
 *
 * Lines end at '\n' bytes; the '\n' and a '\r' before it are not part of the
 * line. A last line without '\n' ends at the end of the file; a final '\n'
 * does not start an empty last line. No multi-byte UTF-8 character contains
 * 0x0A, so splitting on bytes is safe across read chunks.
 */
import * as fs from 'node:fs';
import { FlinktsError } from '../../api/errors.js';
import { describeIoError } from '../format.js';

/** Bytes per `readSync`. */
const CHUNK_SIZE = 64 * 1024;
const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/** One line of a file. */
export interface Line {
  /**
   * The line's bytes without its terminator. Valid only until the next call
   * of the cursor (it may view the cursor's reused read buffer): copy it to keep it.
   */
  readonly bytes: Buffer;
  /** Byte position of the line's first byte. */
  readonly start: number;
  /** Byte position right after the line's terminator: where the next line starts. */
  readonly end: number;
  /** 1-based line number. */
  readonly number: number;
}

/** What {@link LineCursor.next} found. */
export type CursorStep = Line | 'END_OF_FILE' | 'OUT_OF_READS';

/** A cursor over the lines of one file. */
export class LineCursor {
  private readonly fd: number;
  private readonly chunk: Buffer;
  /** `chunk[0, chunkLength)`: the bytes of the last read. */
  private view: Buffer;
  private chunkLength = 0;
  /** Index in `chunk` of the next unread byte. */
  private chunkOffset = 0;
  /** File position of `chunk[0]`. */
  private chunkPosition: number;
  /** Bytes of the line in progress that came from earlier chunks. */
  private partial: Buffer[] = [];
  private atEndOfFile = false;
  /** Byte position and number of the next line. */
  private lineStart: number;
  private lineNumber: number;

  /**
   * Opens `file` at byte `offset`, where line `lineNumber` starts. Throws a
   * `CONNECTOR` error naming the file when it cannot be opened.
   */
  constructor(
    readonly file: string,
    offset: number,
    lineNumber: number,
    chunk: Buffer = Buffer.allocUnsafe(CHUNK_SIZE),
  ) {
    this.chunk = chunk;
    this.view = chunk.subarray(0, 0);
    try {
      this.fd = fs.openSync(file, 'r');
    } catch (error) {
      throw fileError(file, 'read', error);
    }
    this.chunkPosition = offset;
    this.lineStart = offset;
    this.lineNumber = lineNumber;
  }

  /** Byte position of the next line. */
  get position(): number {
    return this.lineStart;
  }

  /** Number of the next line. */
  get nextLineNumber(): number {
    return this.lineNumber;
  }

  /**
   * The next line, `END_OF_FILE`, or `OUT_OF_READS` when finding the line end
   * needed a read and `budget.reads` was 0 (each read takes one from it).
   */
  next(budget: { reads: number }): CursorStep {
    for (;;) {
      if (this.chunkOffset < this.chunkLength) {
        const newline = this.view.indexOf(NEWLINE, this.chunkOffset);
        if (newline !== -1) {
          const tail = this.view.subarray(this.chunkOffset, newline);
          this.chunkOffset = newline + 1;
          return this.emit(tail, this.chunkPosition + newline + 1, true);
        }
        // No line end in this chunk: keep the bytes (copied: the chunk buffer is reused).
        this.partial.push(Buffer.from(this.view.subarray(this.chunkOffset)));
        this.chunkOffset = this.chunkLength;
      }
      if (this.atEndOfFile) {
        if (this.partial.length === 0) return 'END_OF_FILE';
        // The last line has no '\n'.
        return this.emit(Buffer.alloc(0), this.chunkPosition + this.chunkLength, false);
      }
      if (budget.reads <= 0) return 'OUT_OF_READS';
      budget.reads--;
      this.fill();
    }
  }

  /**
   * Moves the cursor back (or forward) to byte `offset`, where line
   * `lineNumber` starts; the next read starts there.
   */
  seek(offset: number, lineNumber: number): void {
    this.partial = [];
    this.view = this.chunk.subarray(0, 0);
    this.chunkLength = 0;
    this.chunkOffset = 0;
    this.chunkPosition = offset;
    this.atEndOfFile = false;
    this.lineStart = offset;
    this.lineNumber = lineNumber;
  }

  close(): void {
    try {
      fs.closeSync(this.fd);
    } catch {
      // Already closed; the file was only read.
    }
  }

  private emit(tail: Buffer, end: number, terminated: boolean): Line {
    let bytes = tail;
    if (this.partial.length > 0) {
      this.partial.push(tail);
      bytes = Buffer.concat(this.partial);
      this.partial = [];
    }
    if (terminated && bytes.length > 0 && bytes[bytes.length - 1] === CARRIAGE_RETURN) bytes = bytes.subarray(0, bytes.length - 1);
    const line: Line = { bytes, start: this.lineStart, end, number: this.lineNumber };
    this.lineStart = end;
    this.lineNumber++;
    return line;
  }

  private fill(): void {
    const position = this.chunkPosition + this.chunkLength;
    let bytesRead: number;
    try {
      bytesRead = fs.readSync(this.fd, this.chunk, 0, this.chunk.length, position);
    } catch (error) {
      throw fileError(this.file, 'read', error);
    }
    this.chunkPosition = position;
    this.chunkLength = bytesRead;
    this.view = this.chunk.subarray(0, bytesRead);
    this.chunkOffset = 0;
    if (bytesRead === 0) this.atEndOfFile = true;
  }
}

/** A `CONNECTOR` error naming the file and what failed. */
export function fileError(file: string, action: 'read' | 'list' | 'write' | 'create' | 'rename' | 'truncate', error: unknown): FlinktsError {
  return new FlinktsError('CONNECTOR', `cannot ${action} '${file}': ${describeIoError(error)}`, { cause: error });
}
