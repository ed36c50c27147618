/** Where flinkts keeps per-user state: the local cluster registry, default checkpoints. */
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

/**
 * The flinkts state directory: `$FLINKTS_STATE_DIR`, else
 * `$XDG_STATE_HOME/flinkts` (when absolute, as the XDG spec requires), else
 * `~/.local/state/flinkts`.
 */
export function localStateDir(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env.FLINKTS_STATE_DIR;
  if (explicit !== undefined && explicit !== '') return resolve(explicit);
  const xdg = env.XDG_STATE_HOME;
  if (xdg !== undefined && isAbsolute(xdg)) return join(xdg, 'flinkts');
  return join(homedir(), '.local', 'state', 'flinkts');
}
