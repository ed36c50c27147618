// Nexmark q1, currency conversion: every bid with its price in euros,
// `SELECT auction, bidder, 0.908 * price AS price, dateTime, extra FROM bid`.
//   npx flinkts run examples/nexmark/q1.ts -- --events 1000000 [--output q1.jsonl]
import { bids, nexmarkJob, toEuros } from './common.js';

export default nexmarkJob('q1', (events) =>
  bids(events)
    .map(({ auction, bidder, price, dateTime, extra }) => ({ auction, bidder, price: toEuros(price), dateTime, extra }))
    .name('q1: to euros'),
);
