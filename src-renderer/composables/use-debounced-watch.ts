import { onBeforeUnmount, watch, type WatchSource } from 'vue';

/** Runs fn once the source has stopped changing for delayMs (and once at the start). */
export function useDebouncedWatch<T>(source: WatchSource<T>, fn: (value: T) => void, delayMs: number): void {
  let timer: number | null = null;
  watch(source, (value) => {
    if (timer !== null) window.clearTimeout(timer);
    timer = window.setTimeout(() => {
      timer = null;
      fn(value);
    }, delayMs);
  }, { immediate: true });
  onBeforeUnmount(() => {
    if (timer !== null) window.clearTimeout(timer);
  });
}
