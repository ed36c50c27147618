// Nexmark q8, monitor new users: the people who registered and opened an
// auction in the same 10-second tumbling window:
//   SELECT P.id, P.name, P.starttime
//   FROM (SELECT id, name, window_start AS starttime, window_end AS endtime
//         FROM TABLE(TUMBLE(TABLE person, DESCRIPTOR(dateTime), INTERVAL '10' SECOND))
//         GROUP BY id, name, window_start, window_end) P
//   JOIN (SELECT seller, window_start AS starttime, window_end AS endtime
//         FROM TABLE(TUMBLE(TABLE auction, DESCRIPTOR(dateTime), INTERVAL '10' SECOND))
//         GROUP BY seller, window_start, window_end) A
//   ON P.id = A.seller AND P.starttime = A.starttime AND P.endtime = A.endtime
// Both sides are grouped before the join, so a person appears once per window
// however many auctions they opened in it: a window coGroup, not a pair join.
// `stime` is the window start (epoch ms).
//   npx flinkts run examples/nexmark/q8.ts -- --events 1000000 [--output q8.jsonl]
import { Time, TumblingEventTimeWindows, type AuctionEvent, type Collector, type PersonEvent } from 'flinkts';
import { auctions, nexmarkJob, persons, windowStart } from './common.js';

const WINDOW_MS = 10_000;

export default nexmarkJob('q8', (events) =>
  persons(events)
    .coGroup(auctions(events))
    .where((person) => person.id)
    .equalTo((auction) => auction.seller)
    .window(TumblingEventTimeWindows.of(Time.milliseconds(WINDOW_MS)))
    .apply((people: Iterable<PersonEvent>, opened: Iterable<AuctionEvent>, out: Collector<{ id: number; name: string; stime: number }>) => {
      if (opened[Symbol.iterator]().next().done === true) return;
      // GROUP BY id, name, window: person ids are unique, but say so rather than rely on it.
      const seen = new Set<number>();
      for (const { id, name, dateTime } of people) {
        if (!seen.has(id)) out.collect({ id, name, stime: windowStart(dateTime, WINDOW_MS) });
        seen.add(id);
      }
    })
    .name('q8: new sellers per window'),
);
