import { ref } from 'vue';

/** Drag-and-drop of files onto an element: `dragging` while something is over it. */
export function useFileDrop(onFiles: (files: File[]) => void) {
  const dragging = ref(false);
  let depth = 0; // dragenter/leave fire for every child element crossed

  function enter(e: DragEvent): void {
    if (!e.dataTransfer?.types.includes('Files')) return;
    e.preventDefault();
    depth++;
    dragging.value = true;
  }
  function over(e: DragEvent): void {
    if (e.dataTransfer?.types.includes('Files')) e.preventDefault();
  }
  function leave(): void {
    depth = Math.max(0, depth - 1);
    if (depth === 0) dragging.value = false;
  }
  function drop(e: DragEvent): void {
    e.preventDefault();
    depth = 0;
    dragging.value = false;
    const files = Array.from(e.dataTransfer?.files ?? []);
    if (files.length) onFiles(files);
  }

  return { dragging, handlers: { dragenter: enter, dragover: over, dragleave: leave, drop } };
}
