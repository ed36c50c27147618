// Nexmark q11, user sessions: per bidder and session (bids less than 10 s
// apart, event time), the number of bids and the session's start and end:
//   SELECT B.bidder, count(*) AS bid_count,
//     SESSION_START(B.dateTime, INTERVAL '10' SECOND) AS starttime,
//     SESSION_END(B.dateTime, INTERVAL '10' SECOND) AS endtime
//   FROM bid B GROUP BY B.bidder, SESSION(B.dateTime, INTERVAL '10' SECOND)
// starttime is the first bid's time, endtime the last bid's time + 10 s (epoch ms).
//   npx flinkts run examples/nexmark/q11.ts -- --events 1000000 [--output q11.jsonl]
import { EventTimeSessionWindows, Time, type Collector, type TimeWindow } from 'flinkts';
import { bids, COUNT, nexmarkJob } from './common.js';

export default nexmarkJob('q11', (events) =>
  bids(events)
    // Only the bidder crosses the exchange (the timestamp travels with it), as Flink's planner projects.
    .map((bid) => bid.bidder)
    .name('Project bidder')
    .keyBy((bidder) => bidder)
    .window(EventTimeSessionWindows.withGap(Time.seconds(10)))
    .aggregate(COUNT, (bidder: number, window: TimeWindow, counts: Iterable<number>, out: Collector<object>) => {
      for (const bidCount of counts) out.collect({ bidder, bidCount, starttime: window.getStart(), endtime: window.getEnd() });
    })
    .name('q11: bids per session'),
);
