// Nexmark q22, get URL directories: every bid with the first three path
// segments of its url (null where the url has fewer):
//   SELECT auction, bidder, price, channel,
//     SPLIT_INDEX(url, '/', 3) AS dir1, SPLIT_INDEX(url, '/', 4) AS dir2,
//     SPLIT_INDEX(url, '/', 5) AS dir3 FROM bid
// (`https://host/a/b/c` splits into `https:`, ``, `host`, `a`, `b`, `c`.)
//   npx flinkts run examples/nexmark/q22.ts -- --events 1000000 [--output q22.jsonl]
import { bids, nexmarkJob } from './common.js';

export default nexmarkJob('q22', (events) =>
  bids(events)
    .map(({ auction, bidder, price, channel, url }) => {
      const parts = url.split('/');
      return { auction, bidder, price, channel, dir1: parts[3] ?? null, dir2: parts[4] ?? null, dir3: parts[5] ?? null };
    })
    .name('q22: split url'),
);
