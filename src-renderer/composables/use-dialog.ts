/**
 * What every dialog does with the keyboard: Escape closes it, focus moves into it when it opens
 * (to what `focusTarget` returns) and goes back where it was when it closes.
 */
import { nextTick, onBeforeUnmount, onMounted } from 'vue';

export function useDialog(onEscape: () => void, focusTarget: () => HTMLElement | null | undefined): void {
  let returnFocus: HTMLElement | null = null;
  const onKey = (e: KeyboardEvent): void => {
    if (e.key === 'Escape') {
      e.preventDefault();
      onEscape();
    }
  };
  onMounted(async () => {
    returnFocus = document.activeElement as HTMLElement | null;
    document.addEventListener('keydown', onKey);
    await nextTick();
    focusTarget()?.focus();
  });
  onBeforeUnmount(() => {
    document.removeEventListener('keydown', onKey);
    returnFocus?.focus?.();
  });
}
