// Nexmark q12, processing-time windows: bids per bidder in tumbling windows
// of 10 s of processing time (the wall clock when the bid is processed):
//   SELECT bidder, count(*) AS bid_count, window_start AS starttime, window_end AS endtime
//   FROM TABLE(TUMBLE(TABLE (SELECT *, PROCTIME() AS p_time FROM bid), DESCRIPTOR(p_time), INTERVAL '10' SECOND))
//   GROUP BY bidder, window_start, window_end
// Which window a bid lands in depends on the clock, so only the total per
// bidder is reproducible. At the end of a bounded input the open windows fire
// (flinkts fires pending processing-time windows then; Flink drops them).
//   npx flinkts run examples/nexmark/q12.ts -- --events 1000000 [--output q12.jsonl]
import { Time, TumblingProcessingTimeWindows, type Collector, type TimeWindow } from 'flinkts';
import { bids, COUNT, nexmarkJob } from './common.js';

export default nexmarkJob('q12', (events) =>
  bids(events)
    .keyBy((bid) => bid.bidder)
    .window(TumblingProcessingTimeWindows.of(Time.seconds(10)))
    .aggregate(COUNT, (bidder: number, window: TimeWindow, counts: Iterable<number>, out: Collector<object>) => {
      for (const bidCount of counts) out.collect({ bidder, bidCount, starttime: window.getStart(), endtime: window.getEnd() });
    })
    .name('q12: bids per bidder and processing-time window'),
);
