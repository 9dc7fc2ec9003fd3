import { randomInt } from "node:crypto";
import { ConfigurationError } from "@dotorm/core";

/** 2024-01-01T00:00:00Z: ids count seconds from here, so 31 bits last until 2092. */
const EPOCH_S = 1_704_067_200;
const NODE_BITS = 10;
const SEQ_BITS = 12;
const SEQ_MAX = 2 ** SEQ_BITS;
const SLOT = 2 ** (NODE_BITS + SEQ_BITS);

/**
 * Time-ordered ids that fit JavaScript's safe integers (53 bits), generated without asking the
 * database: the `clickhouse({ nodeId })` mode (the default leases ranges instead, see {@link IdLease}):
 *
 *     seconds since 2024 (31 bits) | node (10 bits) | sequence (12 bits)
 *
 * Within a process ids strictly increase; across processes they sort by second. Two processes never
 * collide when their nodes differ: give each concurrent writer its own `nodeId` (0-1023); without
 * one the node is random (two writers share a node with probability 1/1024). A process that
 * takes more than 4,096 ids in a second borrows the next seconds (a 1,000,000-row createMany runs its
 * clock about four minutes ahead), so ids stay unique and ordered; keep that in mind before restarting
 * a writer with the same fixed `nodeId` within those minutes.
 *
 * @example
 * const ids = new IdGenerator(7);
 * ids.next(3); // [7530639228747776, 7530639228747777, 7530639228747778]
 */
export class IdGenerator {
  private second = 0;
  private seq = 0;
  readonly node: number;

  constructor(node?: number) {
    if (node !== undefined && (!Number.isInteger(node) || node < 0 || node >= 2 ** NODE_BITS)) {
      throw new ConfigurationError(
        `clickhouse({ nodeId }) must be an integer from 0 to ${2 ** NODE_BITS - 1}, got ${String(node)}`,
      );
    }
    this.node = node ?? randomInt(2 ** NODE_BITS);
  }

  /** `count` new ids, increasing. */
  next(count: number): number[] {
    const now = Math.floor(Date.now() / 1000) - EPOCH_S;
    if (now > this.second) {
      this.second = now;
      this.seq = 0;
    }
    const ids = new Array<number>(count);
    for (let i = 0; i < count; i++) {
      if (this.seq === SEQ_MAX) {
        this.second += 1;
        this.seq = 0;
      }
      ids[i] = this.second * SLOT + this.node * SEQ_MAX + this.seq++;
    }
    return ids;
  }
}
