/** 한국어: en.ts와 같은 키와 자리표시자. Labels are short noun phrases, sentences in 합니다 style. */
import type { Messages } from './en.ts';

const ko: Messages = {
  app: {
    languageName: '한국어',
    language: '언어',
  },
  nav: {
    screens: '화면',
    corpora: '말뭉치',
    newExperiment: '새 실험',
    experiment: '실험',
    compare: '비교',
    generate: '생성',
    inside: '셀 내부',
  },
  toasts: {
    labDidNotStart: '실험실을 시작하지 못했습니다',
  },
};

export default ko;
