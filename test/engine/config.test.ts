// Bad configuration is refused with an error that names the field and the allowed range.
import { describe, expect, it } from 'vitest';
import { ConfigError, modelConfig, trainConfig } from '../../src-worker/engine/config.ts';
import { Model } from '../../src-worker/engine/model.ts';

describe('modelConfig', () => {
  it('fills defaults', () => {
    expect(modelConfig({ vocabSize: 10 })).toEqual({ cell: 'gru', vocabSize: 10, hidden: 128, layers: 1, embedding: 0, dropout: 0, init: 'pytorch', forgetBias: 1 });
  });

  it.each([
    [{ cell: 'transformer' }, /^cell: unknown cell "transformer"; allowed: rnn, lstm, lstm-peephole, gru, gru-reset-after$/],
    [{ hidden: 0 }, /^hidden: must be a whole number from 1 to 8192, got 0$/],
    [{ hidden: -3 }, /^hidden: must be a whole number from 1 to 8192, got -3$/],
    [{ hidden: 2.5 }, /^hidden: must be a whole number/],
    [{ layers: 5 }, /^layers: must be a whole number from 1 to 4, got 5$/],
    [{ vocabSize: 1 }, /^vocabSize: must be a whole number from 2 to 65536, got 1$/],
    [{ embedding: -1 }, /^embedding: must be a whole number from 0 to 8192 \(0 = one-hot input\), got -1$/],
    [{ dropout: 1 }, /^dropout: must be a finite number in \[0, 1\), got 1$/],
    [{ dropout: NaN }, /^dropout: must be a finite number/],
    [{ init: 'xavier' }, /^init: unknown scheme "xavier"/],
    [{ hiden: 3 }, /^model\.hiden: unknown setting/],
  ])('rejects %j', (bad, message) => {
    const attempt = () => modelConfig({ vocabSize: 10, ...(bad as object) });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(message);
  });

  it('makes a Model refuse the same', () => {
    expect(() => new Model({ vocabSize: 10, hidden: 0 })).toThrow(/^hidden: /);
  });
});

describe('trainConfig', () => {
  it.each([
    [{ optimizer: { lr: Infinity } }, /^optimizer\.lr: must be a finite number in \(0, 10\], got Infinity$/],
    [{ optimizer: { lr: NaN } }, /^optimizer\.lr: must be a finite number/],
    [{ optimizer: { lr: 0 } }, /^optimizer\.lr: /],
    [{ optimizer: { name: 'lbfgs' } }, /^optimizer\.name: unknown optimizer "lbfgs"; allowed: sgd, adam, adamw, rmsprop, adagrad$/],
    [{ seqLen: 0 }, /^seqLen: must be a whole number from 1 to 100000, got 0$/],
    [{ batch: -1 }, /^batch: must be a whole number from 1 to 4096, got -1$/],
    [{ clip: -1 }, /^clip: must be a finite number in \[0, Infinity\] \(0 = no clipping\), got -1$/],
    [{ schedule: { name: 'linear' } }, /^schedule\.name: unknown schedule "linear"/],
    [{ seed: -5 }, /^seed: /],
  ])('rejects %j', (bad, message) => {
    expect(() => trainConfig(bad as object)).toThrow(message);
  });
});
