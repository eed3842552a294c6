/**
 * The LabApi methods of the Execution setting: where runs train, and the remote workers
 * (src-main/remote). methods.ts checks them against the LabApi with the rest.
 */
import type { Lab } from '../lab/lab.ts';
import { testRedis } from '../remote/test-connection.ts';
import { empty, v } from './validate.ts';

/** a URL with a password and a host name fits in this */
const redisUrl = v.string({ min: 1, max: 2000 });

export const EXECUTION_METHODS = {
  getExecution: { request: empty, handle: (lab: Lab) => lab.execution() },
  setExecution: {
    request: v.object({ redis: v.nullable(redisUrl), insecure: v.optional(v.boolean()) }),
    handle: (lab: Lab, req: { redis: string | null; insecure?: boolean }) => lab.setExecution(req.redis === null ? null : { url: req.redis, insecure: req.insecure }),
  },
  testRedis: {
    request: v.object({ url: redisUrl, insecure: v.optional(v.boolean()) }),
    handle: (_lab: Lab, req: { url: string; insecure?: boolean }) => testRedis(req.url, { insecure: req.insecure }),
  },
};
