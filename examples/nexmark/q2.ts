// Nexmark q2, selection: the bids on every 123rd auction,
// `SELECT auction, price FROM bid WHERE MOD(auction, 123) = 0`.
//   npx flinkts run examples/nexmark/q2.ts -- --events 1000000 [--output q2.jsonl]
import { bids, nexmarkJob } from './common.js';

export default nexmarkJob('q2', (events) =>
  bids(events)
    .filter((bid) => bid.auction % 123 === 0)
    .name('q2: auction % 123 = 0')
    .map(({ auction, price }) => ({ auction, price }))
    .name('q2: project'),
);
