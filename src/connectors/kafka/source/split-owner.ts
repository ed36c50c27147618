/**
 * Which reader (source subtask) reads a partition, without an enumerator:
 * every reader computes the same function, the one Flink's
 * `KafkaSourceEnumerator.getSplitOwner` uses, so partitions of one topic go
 * round-robin over the readers from a start that depends on the topic name,
 * and a partition discovered later lands on the reader Flink would pick.
 */

/** Java's `String.hashCode()` (32-bit, over UTF-16 code units). */
export function javaStringHashCode(text: string): number {
  let hash = 0;
  for (let i = 0; i < text.length; i++) hash = (Math.imul(hash, 31) + text.charCodeAt(i)) | 0;
  return hash;
}

/** The subtask index that owns `topic`/`partition` among `parallelism` readers. */
export function splitOwner(topic: string, partition: number, parallelism: number): number {
  const startIndex = ((Math.imul(javaStringHashCode(topic), 31) & 0x7fffffff) % parallelism);
  return (startIndex + partition) % parallelism;
}
