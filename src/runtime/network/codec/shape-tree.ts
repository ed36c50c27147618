/**
 * The writer's shape tree: a transition tree over object keys, walked with
 * `for...in` while an object is written, so finding an object's shape
 * allocates nothing once its shape has been seen (the approach msgpackr takes
 * for its records). Every node is also the shape whose key list is the path
 * from the root to it; the root is the shape of `{}`.
 * @module
 */

import { MAX_SHAPE_KEYS, MAX_SHAPE_NODES } from './format.js';

/** Writes the values of an object of one shape, in key order, at the writer's position. */
export type ShapeEncoder = (o: Record<string, unknown>, depth: number) => void;

/** One node of the tree: a key list, and the transitions to longer lists. */
export class ShapeNode {
  /** The node this one extends by {@link key}; null for the root. */
  readonly parent: ShapeNode | null;
  /** The last key of the list. */
  readonly key: string;
  /** Number of keys in the list. */
  readonly length: number;
  /**
   * The most recently taken transition. Records of a stream mostly share one
   * shape, so this one-entry cache answers nearly every step with a pointer
   * comparison (keys from `for...in` are internalised strings).
   */
  lastKey: string | undefined = undefined;
  /** Target of {@link lastKey}. */
  lastNext: ShapeNode | undefined = undefined;
  /** All transitions, created on the second distinct key. */
  children: Map<string, ShapeNode> | undefined = undefined;
  /** Buffer epoch in which {@link id} is valid; 0 = not defined in any buffer. */
  epoch = 0;
  /** Shape id in the buffer of {@link epoch}. */
  id = 0;
  /** Encoded key list (varint count, key strings), built on first definition. */
  keyBytes: Uint8Array | undefined = undefined;
  /** Objects written with this shape (counts up to the threshold for generating an encoder). */
  uses = 0;
  /** Generated encoder of the values of objects of this shape, once it has been used often. */
  encoder: ShapeEncoder | undefined = undefined;

  constructor(parent: ShapeNode | null, key: string) {
    this.parent = parent;
    this.key = key;
    this.length = parent === null ? 0 : parent.length + 1;
  }

  /** The key list from the root to this node. */
  keys(): string[] {
    const keys = new Array<string>(this.length);
    if (this.length > 0) keys[this.length - 1] = this.key;
    let node = this.parent;
    for (let i = this.length - 2; i >= 0 && node !== null; i--, node = node.parent) keys[i] = node.key;
    return keys;
  }
}

/**
 * The shape state of one writer: its tree and the shapes defined in the
 * buffer it is filling (ids are per buffer; see format.ts).
 */
export class ShapeTable {
  /** The shape of `{}`. */
  readonly root = new ShapeNode(null, '');
  /** Nodes created so far (bounded by MAX_SHAPE_NODES). */
  nodeCount = 1;
  /** Encoders generated so far (bounded by MAX_SHAPE_ENCODERS). */
  encoderCount = 0;
  /** Next shape id in the current buffer. */
  nextId = 0;
  /** Shapes defined in the current buffer, by id (to undo definitions of a record that did not fit). */
  readonly defined: ShapeNode[] = [];

  /**
   * The node after `node` for `key` when the one-entry cache of `node` missed,
   * creating it; null when the object must be written key by key instead (too
   * many keys, or the tree is full).
   */
  transition(node: ShapeNode, key: string): ShapeNode | null {
    // Without a map, a node has at most one child: the one in its cache.
    let next = node.children !== undefined ? node.children.get(key) : undefined;
    if (next === undefined) {
      if (node.length >= MAX_SHAPE_KEYS || this.nodeCount >= MAX_SHAPE_NODES) return null;
      next = new ShapeNode(node, key);
      this.nodeCount++;
      if (node.lastNext !== undefined) {
        node.children ??= new Map([[node.lastKey as string, node.lastNext]]);
        node.children.set(key, next);
      }
    }
    node.lastKey = key;
    node.lastNext = next;
    return next;
  }

  /** Forgets the definitions of ids ≥ `firstId` (their bytes were rolled back). */
  undefineFrom(firstId: number): void {
    for (let id = firstId; id < this.nextId; id++) this.defined[id].epoch = 0;
    this.nextId = firstId;
  }
}
