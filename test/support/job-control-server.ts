/**
 * A REST server over the fixture JobControl, registered in the local
 * registry of `$FLINKTS_STATE_DIR`, for the e2e tests of the job-control
 * commands. Prints `{"port":…,"token":…,"pid":…}` on one line once it
 * listens; SIGTERM unregisters and stops it. The e2e test bundles this file
 * with esbuild and runs it with node.
 */
import { startRestEndpoint } from '../../src/cluster/jobmanager/rest-server.js';
import { FixtureJobControl } from './job-control-fixture.js';

const control = new FixtureJobControl(Number(process.env.FIXTURE_OPERATION_DELAY_MS ?? '20'));
const rest = await startRestEndpoint(control, { version: '0.0.0-test' });
process.stdout.write(`${JSON.stringify({ port: rest.port, token: rest.token, pid: process.pid })}\n`);
process.once('SIGTERM', () => {
  void rest.close().then(() => process.exit(0));
});
