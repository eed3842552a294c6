/**
 * Where the lab trains its runs (its own worker threads, or remote workers through Redis), the
 * workers' heartbeats and the connection's state: read when the app opens, then every few seconds
 * while runs go to Redis (so a lost connection shows) or the setting is open.
 */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { ExecutionStatus, Response } from '../../src-main/api/contract.ts';
import { labClient } from './lab-client.ts';
import { useUiStore } from './ui.ts';

const POLL_MS = 2000;

export const useExecutionStore = defineStore('execution', () => {
  const status = ref<ExecutionStatus | null>(null);
  const open = ref(false);
  /** Date.now() of the last answer, for the heartbeats' ages */
  const now = ref(Date.now());
  let timer: number | null = null;

  async function refresh(): Promise<void> {
    try {
      status.value = await labClient().getExecution({});
      now.value = Date.now();
    } catch (e) {
      useUiStore().report(e);
    }
    schedule();
  }

  /** polls while it matters, and only then */
  function schedule(): void {
    const wanted = open.value || status.value?.mode === 'redis';
    if (wanted && timer === null) timer = window.setInterval(() => void refresh(), POLL_MS);
    if (!wanted && timer !== null) {
      window.clearInterval(timer);
      timer = null;
    }
  }

  function show(on: boolean): void {
    open.value = on;
    if (on) void refresh();
    else schedule();
  }

  /** Applies the setting; answers the error message when the lab refuses it. */
  async function apply(redis: string | null, insecure: boolean): Promise<string | null> {
    try {
      status.value = await labClient().setExecution({ redis, insecure });
      now.value = Date.now();
      schedule();
      return null;
    } catch (e) {
      return (e as Error).message;
    }
  }

  function test(url: string, insecure: boolean): Promise<Response<'testRedis'>> {
    return labClient().testRedis({ url, insecure });
  }

  return { status, open, now, refresh, show, apply, test };
});
