// GET /api/calendar/years/:year, the year 工作日历 shows: every day as deadlines count it, each holiday and 调休
// working day with its source (the packaged State Council arrangement, or an admin's override with its note and
// what it replaced), and where the year's arrangement comes from. Admins and the centre only; a bad year is a
// 400 in Chinese, never a 500.
import { expect } from 'chai';
import request from 'supertest';
import type { YearDay } from '../../shared/calendar-year.ts';
import { expectError, useTestApp } from './helpers.ts';

describe('api: a year of the working calendar (GET /api/calendar/years/:year)', () => {
  const t = useTestApp();
  const year = async (y: string | number, as = 'admin') =>
    request(t.app)
      .get(`/api/calendar/years/${y}`)
      .set(await t.auth(as));
  const dayOf = (items: YearDay[], date: string) => items.find((d) => d.date === date);

  it('401 without a token', async () => {
    expectError(await request(t.app).get('/api/calendar/years/2026'), 401, 'unauthorized');
  });

  it('403 for units, leaders and the supervisor; 200 for admins and the centre', async () => {
    for (const who of ['handler-city-tax', 'unithead-city-tax', 'leader', 'supervisor'])
      expectError(await year(2026, who), 403, 'forbidden');
    for (const who of ['admin', 'clerk', 'dispatcher', 'director'])
      expect((await year(2026, who)).status).to.equal(200);
  });

  it('400 with a Chinese message for a year that is not four digits or out of range', async () => {
    for (const bad of ['abc', '26', '02026', '2026.0', '2026-01', '%20']) {
      const res = await year(bad);
      expectError(res, 400, 'validation_failed');
      expect(res.body.error.message, bad).to.equal('年份应为四位数字，如 2026');
    }
    for (const bad of ['1999', '2101', '0000']) {
      const res = await year(bad);
      expectError(res, 400, 'validation_failed');
      expect(res.body.error.message, bad).to.equal('年份应在 2000 至 2100 年之间');
    }
  });

  it('2026: every day, the Spring Festival off and its two worked Saturdays from the State Council', async () => {
    const res = await year(2026);
    expect(res.status).to.equal(200);
    expect(res.body.year).to.equal(2026);
    expect(res.body.coverage).to.equal('state_council');
    const items: YearDay[] = res.body.items;
    expect(items).to.have.length(365);
    expect(items[0].date).to.equal('2026-01-01');
    expect(items.at(-1)!.date).to.equal('2026-12-31');
    expect(dayOf(items, '2026-02-14')).to.deep.equal({
      date: '2026-02-14',
      working: true,
      kind: 'workday',
      source: 'state_council',
      name: '春节',
    });
    expect(dayOf(items, '2026-02-15')).to.include({
      working: false,
      kind: 'holiday',
      source: 'state_council',
    });
    expect(dayOf(items, '2026-02-28')).to.include({ working: true, kind: 'workday', name: '春节' });
    // Ordinary days carry no source.
    expect(dayOf(items, '2026-03-02')).to.deep.equal({ date: '2026-03-02', working: true, kind: 'weekday' });
    expect(dayOf(items, '2026-03-07')).to.deep.equal({ date: '2026-03-07', working: false, kind: 'weekend' });
    const special = items.filter((d) => d.source === 'state_council');
    expect(special.filter((d) => d.kind === 'workday').map((d) => d.date)).to.deep.equal([
      '2026-01-04',
      '2026-02-14',
      '2026-02-28',
      '2026-05-09',
      '2026-09-20',
      '2026-10-10',
    ]);
  });

  it('an admin override shows as 本地调整 with its note and what the State Council had made the day', async () => {
    const admin = await t.auth('admin');
    await request(t.app)
      .put('/api/calendar/overrides/2026-02-23')
      .set(admin)
      .send({ kind: 'work', note: '提前复工' })
      .expect(200);
    await request(t.app)
      .put('/api/calendar/overrides/2026-03-06')
      .set(admin)
      .send({ kind: 'off', note: '防汛停工' })
      .expect(200);
    try {
      const items: YearDay[] = (await year(2026, 'director')).body.items;
      expect(dayOf(items, '2026-02-23')).to.deep.equal({
        date: '2026-02-23',
        working: true,
        kind: 'workday',
        source: 'local',
        name: '提前复工',
        replaces: { kind: 'holiday', name: '春节' },
      });
      expect(dayOf(items, '2026-03-06')).to.deep.equal({
        date: '2026-03-06',
        working: false,
        kind: 'holiday',
        source: 'local',
        name: '防汛停工',
      });
      // The days deadlines count agree with the day view every staff member reads.
      const days = await request(t.app).get('/api/calendar/days?from=2026-02-23&to=2026-02-23').set(admin);
      expect(days.body.items[0].working).to.equal(true);
    } finally {
      await request(t.app).delete('/api/calendar/overrides/2026-02-23').set(admin).expect(204);
      await request(t.app).delete('/api/calendar/overrides/2026-03-06').set(admin).expect(204);
    }
  });

  it('a year the package lacks is missing (Monday–Friday and the statutory days) until an admin enters it', async () => {
    const before = await year(2027);
    expect(before.body.coverage).to.equal('missing');
    const statutory = before.body.items.filter((d: YearDay) => d.source);
    expect(statutory).to.have.length(13);
    expect(statutory.every((d: YearDay) => d.source === 'statutory' && !d.working)).to.equal(true);
    expect(dayOf(before.body.items, '2027-01-01')).to.include({
      working: false,
      kind: 'holiday',
      name: '元旦',
    });
    await request(t.app)
      .put('/api/calendar/years/2027')
      .set(await t.auth('admin'))
      .send({ offDays: ['2027-01-01'], workDays: ['2027-02-07'], notes: { '2027-01-01': '元旦' } })
      .expect(200);
    const after = await year(2027, 'clerk');
    expect(after.body.coverage).to.equal('entered');
    expect(after.body.items.filter((d: YearDay) => d.source === 'local')).to.deep.equal([
      {
        date: '2027-01-01',
        working: false,
        kind: 'holiday',
        source: 'local',
        name: '元旦',
        replaces: { kind: 'holiday', name: '元旦' },
      },
      {
        date: '2027-02-07',
        working: true,
        kind: 'workday',
        source: 'local',
        name: '2027年放假安排',
        replaces: { kind: 'holiday', name: '春节' },
      },
    ]);
  });

  it('GET /api/calendar gives today on the app clock in China time, the year the view opens on', async () => {
    const res = await request(t.app)
      .get('/api/calendar')
      .set(await t.auth('admin'))
      .expect(200);
    expect(res.body.today).to.equal('2026-03-02');
  });

  it('a leap year has 366 days', async () => {
    const res = await year(2028);
    expect(res.body.items).to.have.length(366);
    expect(res.body.items[59].date).to.equal('2028-02-29');
  });
});
