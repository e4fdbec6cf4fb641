// The order a collection's orderedValues promises, written out independently of the store's code:
// by shard, then by key (code unit order) within the shard.
import { shardOf } from '../../engine/state/sharded-store.js';

export const byShardThenKey =
  (shards: number) =>
  (a: string, b: string): number =>
    shardOf(a, shards) - shardOf(b, shards) || (a < b ? -1 : a > b ? 1 : 0);
