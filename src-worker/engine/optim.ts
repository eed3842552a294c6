/**
 * Optimizers over the flat parameter buffer: each is one loop over all parameters, its moments one
 * flat buffer each. Formulas follow torch.optim (1.13) so runs compare with PyTorch step for step.
 */
import type { OptimizerConfig, ScheduleConfig } from './config.ts';
import type { Vec } from './kernels.ts';

export class Optimizer {
  /** optimizer steps taken (Adam's bias correction needs it) */
  t = 0;
  /** moment buffers: SGD [velocity], Adam [m, v], RMSProp [square average], Adagrad [sum of squares] */
  readonly moments: Float32Array[];

  constructor(readonly config: OptimizerConfig, readonly size: number) {
    const count = { sgd: config.momentum > 0 ? 1 : 0, adam: 2, adamw: 2, rmsprop: 1, adagrad: 1 }[config.name];
    this.moments = Array.from({ length: count }, () => new Float32Array(size));
  }

  /** p -= update(g), with learning rate lr for this step. */
  step(params: Vec, grads: Vec, lr: number): void {
    const c = this.config;
    const n = this.size;
    const wd = c.weightDecay;
    this.t++;
    switch (c.name) {
      case 'sgd': {
        if (c.momentum > 0) {
          const v = this.moments[0];
          const first = this.t === 1; // torch starts the buffer at the first gradient
          for (let i = 0; i < n; i++) {
            const g = grads[i] + wd * params[i];
            const vi = first ? g : c.momentum * v[i] + g;
            v[i] = vi;
            params[i] -= lr * vi;
          }
        } else {
          for (let i = 0; i < n; i++) params[i] -= lr * (grads[i] + wd * params[i]);
        }
        return;
      }
      case 'adam':
      case 'adamw': {
        const [m, v] = this.moments;
        const { beta1, beta2, eps } = c;
        const bc1 = 1 - beta1 ** this.t;
        const bc2sqrt = Math.sqrt(1 - beta2 ** this.t);
        const stepSize = lr / bc1;
        const decoupled = c.name === 'adamw';
        const decay = decoupled ? 1 - lr * wd : 1;
        for (let i = 0; i < n; i++) {
          let p = params[i];
          let g = grads[i];
          if (decoupled) p *= decay;
          else g += wd * p;
          const mi = beta1 * m[i] + (1 - beta1) * g;
          const vi = beta2 * v[i] + (1 - beta2) * g * g;
          m[i] = mi;
          v[i] = vi;
          params[i] = p - stepSize * mi / (Math.sqrt(vi) / bc2sqrt + eps);
        }
        return;
      }
      case 'rmsprop': {
        const [v] = this.moments;
        const { alpha, eps } = c;
        for (let i = 0; i < n; i++) {
          const g = grads[i] + wd * params[i];
          const vi = alpha * v[i] + (1 - alpha) * g * g;
          v[i] = vi;
          params[i] -= lr * g / (Math.sqrt(vi) + eps);
        }
        return;
      }
      case 'adagrad': {
        const [s] = this.moments;
        const { eps } = c;
        for (let i = 0; i < n; i++) {
          const g = grads[i] + wd * params[i];
          const si = s[i] + g * g;
          s[i] = si;
          params[i] -= lr * g / (Math.sqrt(si) + eps);
        }
        return;
      }
    }
  }
}

/** Learning rate of step `step` (0-based) of a run of `total` steps. */
export function learningRate(lr: number, s: ScheduleConfig, step: number, total: number): number {
  if (step < s.warmup) return (lr * (step + 1)) / s.warmup;
  switch (s.name) {
    case 'constant':
      return lr;
    case 'step':
      return lr * s.gamma ** Math.floor(step / s.stepSize);
    case 'cosine': {
      const span = Math.max(1, total - s.warmup);
      const progress = Math.min(1, (step - s.warmup) / span);
      return s.minLr + ((lr - s.minLr) * (1 + Math.cos(Math.PI * progress))) / 2;
    }
  }
}

/** Global L2 norm of the gradient, accumulated in float64. */
export function globalNorm(grads: Vec): number {
  let sum = 0;
  for (let i = 0; i < grads.length; i++) sum += grads[i] * grads[i];
  return Math.sqrt(sum);
}

/** Scales grads so their global norm is at most maxNorm (torch.nn.utils.clip_grad_norm_). Returns whether it acted. */
export function clipByGlobalNorm(grads: Vec, norm: number, maxNorm: number): boolean {
  if (maxNorm <= 0 || norm <= maxNorm) return false;
  const scale = maxNorm / (norm + 1e-6);
  for (let i = 0; i < grads.length; i++) grads[i] *= scale;
  return true;
}
