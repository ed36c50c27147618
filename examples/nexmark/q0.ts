// Nexmark q0, pass-through: every bid, as Flink's `SELECT auction, bidder,
// price, dateTime, extra FROM bid`. Measures the source and the sink.
//   npx flinkts run examples/nexmark/q0.ts -- --events 1000000 [--output q0.jsonl]
import { bids, nexmarkJob } from './common.js';

export default nexmarkJob('q0', (events) =>
  bids(events)
    .map(({ auction, bidder, price, dateTime, extra }) => ({ auction, bidder, price, dateTime, extra }))
    .name('q0: project'),
);
