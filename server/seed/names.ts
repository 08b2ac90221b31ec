// Realistic Chinese personal names for demo people (enterprise owners, staff), drawn from a seeded PRNG so the
// demo is the same on every run.
import type { Rng } from './prng.ts';

const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗沈钱姚施费潘俞蒋叶'.split('');
const GIVEN = [
  '建国',
  '国强',
  '海峰',
  '丽华',
  '晓东',
  '志明',
  '伟',
  '敏',
  '静',
  '军',
  '建华',
  '春燕',
  '卫东',
  '玉兰',
  '立新',
  '雪梅',
  '永刚',
  '秀英',
  '文斌',
  '红霞',
  '国平',
  '美玲',
  '德明',
  '亚萍',
  '旭',
  '佳琪',
  '俊杰',
  '慧敏',
];

export function personName(rng: Rng): string {
  return rng.pick(SURNAMES) + rng.pick(GIVEN);
}
