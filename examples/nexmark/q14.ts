// Nexmark q14, calculation: bids priced between 1 M and 50 M euros (exclusive),
// labelled by the UTC hour of their time, with the number of 'c' in `extra`:
//   SELECT auction, bidder, 0.908 * price AS price,
//     CASE WHEN HOUR(dateTime) >= 8 AND HOUR(dateTime) <= 18 THEN 'dayTime'
//          WHEN HOUR(dateTime) <= 6 OR HOUR(dateTime) >= 20 THEN 'nightTime'
//          ELSE 'otherTime' END AS bidTimeType,
//     dateTime, extra, count_char(extra, 'c') AS c_counts
//   FROM bid WHERE 0.908 * price > 1000000 AND 0.908 * price < 50000000
//   npx flinkts run examples/nexmark/q14.ts -- --events 1000000 [--output q14.jsonl]
import { bids, nexmarkJob, toEuros } from './common.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** dayTime for hours 8–18, nightTime for 0–6 and 20–23, otherTime for 7 and 19 (UTC). */
export function bidTimeType(dateTime: number): string {
  const hour = Math.floor((((dateTime % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS);
  if (hour >= 8 && hour <= 18) return 'dayTime';
  if (hour <= 6 || hour >= 20) return 'nightTime';
  return 'otherTime';
}

/** The number of occurrences of `char` in `text` (Nexmark's `count_char` UDF). */
export function countChar(text: string, char: string): number {
  let count = 0;
  for (let i = text.indexOf(char); i !== -1; i = text.indexOf(char, i + 1)) count++;
  return count;
}

export default nexmarkJob('q14', (events) =>
  bids(events)
    // 0.908 * price compared in integer thousandths: exact, as Flink's DECIMAL.
    .filter((bid) => bid.price * 908 > 1_000_000_000 && bid.price * 908 < 50_000_000_000)
    .name('q14: 1 M < euros < 50 M')
    .map(({ auction, bidder, price, dateTime, extra }) => ({
      auction,
      bidder,
      price: toEuros(price),
      bidTimeType: bidTimeType(dateTime),
      dateTime,
      extra,
      cCounts: countChar(extra, 'c'),
    }))
    .name('q14: label'),
);
