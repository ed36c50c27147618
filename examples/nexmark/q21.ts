// Nexmark q21, add channel id: bids of the four named channels get ids 0–3,
// others the `channel_id` parameter of their url; bids with neither are dropped:
//   SELECT auction, bidder, price, channel,
//     CASE WHEN lower(channel) = 'apple' THEN '0' WHEN lower(channel) = 'google' THEN '1'
//          WHEN lower(channel) = 'facebook' THEN '2' WHEN lower(channel) = 'baidu' THEN '3'
//          ELSE REGEXP_EXTRACT(url, '(&|^)channel_id=([^&]*)', 2) END AS channel_id
//   FROM bid WHERE REGEXP_EXTRACT(url, '(&|^)channel_id=([^&]*)', 2) IS NOT NULL
//     OR lower(channel) IN ('apple', 'google', 'facebook', 'baidu')
//   npx flinkts run examples/nexmark/q21.ts -- --events 1000000 [--output q21.jsonl]
import type { Collector } from 'flinkts';
import { bids, nexmarkJob } from './common.js';

const NAMED_CHANNELS: ReadonlyMap<string, string> = new Map([
  ['apple', '0'],
  ['google', '1'],
  ['facebook', '2'],
  ['baidu', '3'],
]);
const CHANNEL_ID = /(&|^)channel_id=([^&]*)/;

/** The channel id of a bid, or `undefined` when it has none (the row is filtered out). */
export function channelId(channel: string, url: string): string | undefined {
  return NAMED_CHANNELS.get(channel.toLowerCase()) ?? CHANNEL_ID.exec(url)?.[2];
}

export default nexmarkJob('q21', (events) =>
  bids(events)
    .flatMap(({ auction, bidder, price, channel, url }, out: Collector<object>) => {
      const id = channelId(channel, url);
      if (id !== undefined) out.collect({ auction, bidder, price, channel, channelId: id });
    })
    .name('q21: channel id'),
);
