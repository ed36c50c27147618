// Nexmark q16, channel statistics: q15 per channel and day, with the latest
// minute of the day that saw a bid on the channel:
//   SELECT channel,
//          DATE_FORMAT(dateTime, 'yyyy-MM-dd') AS `day`,
//          max(DATE_FORMAT(dateTime, 'HH:mm')) AS `minute`,
//          count(*) AS total_bids,
//          ... (rank1_bids .. rank3_auctions exactly as q15)
//   FROM bid GROUP BY channel, DATE_FORMAT(dateTime, 'yyyy-MM-dd')
// An unbounded group aggregation over many keys (about 10 000 channels a
// day), in Flink's changelog form (see changelog.ts). Days and minutes are UTC.
//   npx flinkts run examples/nexmark/q16.ts -- --events 1000000 [--output q16.jsonl]
import type { BidEvent } from 'flinkts';
import { bidCountColumns, BidCountsFunction, emptyBidCounts, formatDay, formatMinute, type BidCountColumns, type BidCounts } from './bid-statistics.js';
import { bids, nexmarkJob } from './common.js';

/** One row of the result table (key: `channel`, `day`). */
export interface Q16Row extends BidCountColumns {
  readonly channel: string;
  readonly day: string;
  readonly minute: string;
}

interface ChannelDay extends BidCounts {
  readonly channel: string;
  readonly day: string;
  /** The greatest `HH:mm` so far. */
  minute: string;
}

/** Per channel and day (the key, `channel|day`): the bid counts and the latest minute. */
class ChannelBidCounts extends BidCountsFunction<string, ChannelDay, Q16Row> {
  protected createAccumulator(bid: BidEvent): ChannelDay {
    return { ...emptyBidCounts(), channel: bid.channel, day: formatDay(bid.dateTime), minute: '' };
  }

  protected override accumulate(acc: ChannelDay, bid: BidEvent): void {
    super.accumulate(acc, bid);
    const minute = formatMinute(bid.dateTime);
    if (minute > acc.minute) acc.minute = minute;
  }

  protected result(acc: ChannelDay): Q16Row {
    return { channel: acc.channel, day: acc.day, minute: acc.minute, ...bidCountColumns(acc) };
  }
}

export default nexmarkJob('q16', (events) =>
  bids(events)
    .keyBy((bid) => `${bid.channel}|${formatDay(bid.dateTime)}`)
    .process(new ChannelBidCounts())
    .name('q16: bid counts per channel and day'),
);
