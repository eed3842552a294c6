/** The kernel implementations by name; 'blocked' is the default, 'naive' the reference. */
import { blockedKernels } from './kernels-blocked.ts';
import { naiveKernels, type Kernels } from './kernels.ts';

export const KERNEL_SETS = { blocked: blockedKernels, naive: naiveKernels } as const satisfies Record<string, Kernels>;
export type KernelSetName = keyof typeof KERNEL_SETS;
export const defaultKernels: Kernels = blockedKernels;
