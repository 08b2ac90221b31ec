// The ids the demo's channel messages carry, shaped as each channel really numbers them (an issue's 来源 list
// shows them, and staff quote them to the hotline or the 浙里办 back office): a 12345 work order number, a
// 浙里办 application number, an SMS gateway msgId, a WeChat MsgId (a 64-bit number), an email Message-ID, a
// 好差评 rating number. Drawn from the seed's PRNG, so the same on every run, and never repeated within a
// channel: (channel, externalId) is what makes a redelivery land on the same issue.
import { chinaDateKey, CHINA_OFFSET_MS } from '../../shared/calendar.ts';
import type { ChannelId } from '../../shared/states.ts';
import { DEMO_COUNTIES } from './enterprises.seed.ts';
import type { Rng } from './prng.ts';

/** What decides a message's id besides the channel. */
export interface IdContext {
  at: Date;
  region: string;
  /** The sender's address (email: its Message-ID names the sender's mail server). */
  email?: string;
}

const digits = (rng: Rng, n: number) => Array.from({ length: n }, () => rng.int(0, 9)).join('');
const hex = (rng: Rng, n: number) =>
  Array.from({ length: n }, () => '0123456789ABCDEF'[rng.int(0, 15)]).join('');
const pad = (value: number, width: number) => String(value).padStart(width, '0');

/** 20261128 and 093512, in China time. */
function stamp(at: Date): { day: string; time: string } {
  const local = new Date(at.getTime() + CHINA_OFFSET_MS);
  const time = [local.getUTCHours(), local.getUTCMinutes(), local.getUTCSeconds()].map((v) => pad(v, 2));
  return { day: chinaDateKey(at).replaceAll('-', ''), time: time.join('') };
}

/** The Message-ID the sender's mail server would write (angle brackets dropped, as the inbox keeps it). */
function messageId(rng: Rng, at: Date, email: string): string {
  const domain = email.split('@')[1] ?? 'mail.cn';
  if (domain === 'qq.com') return `tencent_${hex(rng, 40)}@qq.com`;
  if (domain === '163.com' || domain === '126.com') {
    const ms = at.getTime().toString(16);
    return `${hex(rng, 8).toLowerCase()}.${hex(rng, 4).toLowerCase()}.${ms}.Coremail.${email.split('@')[0]}@${domain}`;
  }
  const { day, time } = stamp(at);
  return `${day}${time}.${hex(rng, 12)}@${domain}`;
}

const CHANNELS_WITH_IDS = new Set<ChannelId>([
  'hotline12345',
  'zheliban',
  'sms',
  'wechat',
  'email',
  'review',
]);

/** The ids of one seed run: each new one differs from those handed out before on its channel. */
export class ExternalIds {
  private readonly taken = new Set<string>();

  constructor(private readonly rng: Rng) {}

  /** The id the channel gives a message received at `c.at`; undefined for channels staff type in. */
  next(channel: ChannelId, c: IdContext): string | undefined {
    if (!CHANNELS_WITH_IDS.has(channel)) return undefined;
    for (;;) {
      const id = this.draw(channel, c);
      if (!this.taken.has(`${channel} ${id}`)) {
        this.taken.add(`${channel} ${id}`);
        return id;
      }
    }
  }

  private draw(channel: ChannelId, c: IdContext): string {
    const { rng } = this;
    const { day, time } = stamp(c.at);
    const division = DEMO_COUNTIES.find((x) => x.region === c.region)?.division ?? '330500';
    switch (channel) {
      case 'hotline12345':
        // The city hotline numbers its work orders per day (a few thousand calls a day).
        return `HZ12345-${day}-${pad(rng.int(1, 2600), 6)}`;
      case 'zheliban':
        return `ZLB${day}${division}${pad(rng.int(1, 3000), 5)}`;
      case 'sms':
        return `${day}${time}${digits(rng, 6)}`;
      case 'wechat':
        // A MsgId is a 64-bit integer; current ones run to 17 digits.
        return `2${rng.int(3, 4)}${digits(rng, 15)}`;
      case 'email':
        return messageId(rng, c.at, c.email ?? 'office@mail.cn');
      default:
        return `HCP${day}${division}${pad(rng.int(1, 9999), 6)}`;
    }
  }
}
