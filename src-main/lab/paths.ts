/** Where the lab keeps its database by default: the same folder Electron uses as userData. */
import { homedir } from 'node:os';
import { join } from 'node:path';

export const APP_NAME = 'RNN Lab';

export function defaultDataDir(platform = process.platform, env = process.env): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), APP_NAME);
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', APP_NAME);
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), APP_NAME);
}

/** --db PATH, else RNN_LAB_DB, else lab.db in the data folder. */
export function databasePath(flag?: string, env = process.env): string {
  return flag ?? env.RNN_LAB_DB ?? join(defaultDataDir(process.platform, env), 'lab.db');
}
