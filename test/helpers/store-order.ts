// The order a collection's orderedValues promises for records as written without a ranking,
// written out independently of the store's code: shard file by shard file, each in key order
// (code unit order). Keys added since the collection was opened come after them.
import { shardOf } from '../../engine/state/sharded-store.js';

export const byShardThenKey =
  (shards: number) =>
  (a: string, b: string): number =>
    shardOf(a, shards) - shardOf(b, shards) || (a < b ? -1 : a > b ? 1 : 0);
