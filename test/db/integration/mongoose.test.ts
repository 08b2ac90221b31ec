// Mongoose 9 against the embedded server: schema indexes (unique and compound), CRUD, findOneAndUpdate,
// upserts, arrayFilters, $lookup, duplicate keys surfacing as 11000, and schema types round-tripping.
import { expect } from 'chai';
import mongoose, { Schema, Types, type Connection } from 'mongoose';
import { startHarness, type Harness } from './harness.ts';

interface Company {
  code: string;
  name: string;
  city: string;
  district: string;
  employees: number;
  tags: string[];
  contacts: Array<{ name: string; primary: boolean }>;
  capital?: Types.Decimal128;
  revenue?: bigint;
  logo?: Buffer;
  founded?: Date;
  extra?: Map<string, string>;
  score?: number;
  rank?: number;
}

const companySchema = new Schema<Company>({
  code: { type: String, required: true, unique: true },
  name: { type: String, required: true },
  city: { type: String, required: true },
  district: { type: String, required: true },
  employees: { type: Number, default: 0 },
  tags: [String],
  contacts: [{ name: String, primary: Boolean }],
  capital: Schema.Types.Decimal128,
  revenue: BigInt,
  logo: Buffer,
  founded: Date,
  extra: { type: Map, of: String },
  score: Schema.Types.Double,
  rank: Schema.Types.Int32,
});
companySchema.index({ city: 1, district: 1, name: 1 }, { unique: true });

interface Issue {
  company: Types.ObjectId;
  title: string;
  status: string;
}

const issueSchema = new Schema<Issue>({
  company: { type: Schema.Types.ObjectId, ref: 'Company', required: true },
  title: String,
  status: { type: String, index: true },
});

describe('integration (mongoose 9)', () => {
  let h: Harness;
  let conn: Connection;
  let CompanyModel: mongoose.Model<Company>;
  let IssueModel: mongoose.Model<Issue>;
  const getMores: unknown[] = [];

  before(async () => {
    h = await startHarness();
    conn = await mongoose
      .createConnection(h.server.uri + 'mongoose_it', { monitorCommands: true })
      .asPromise();
    CompanyModel = conn.model<Company>('Company', companySchema);
    IssueModel = conn.model<Issue>('Issue', issueSchema);
    conn.getClient().on('commandStarted', (e) => e.commandName === 'getMore' && getMores.push(e));
    await CompanyModel.init();
    await IssueModel.init();
  });
  after(async () => {
    await conn.close();
    await h.stop();
  });

  const base = (code: string, name = `Co ${code}`) => ({ code, name, city: 'Huzhou', district: 'Wuxing' });

  it('creates the unique and compound indexes declared on the schema', async () => {
    const indexes = await CompanyModel.collection.indexes();
    const byName = Object.fromEntries(indexes.map((i) => [i.name, i]));
    expect(byName['code_1']).to.include({ unique: true });
    expect(byName['city_1_district_1_name_1'].key).to.deep.equal({ city: 1, district: 1, name: 1 });
    expect(byName['city_1_district_1_name_1']).to.include({ unique: true });
    expect((await IssueModel.collection.indexes()).map((i) => i.name)).to.include('status_1');
  });

  it('creates, reads, updates and deletes documents', async () => {
    const created = await CompanyModel.create({ ...base('C1'), employees: 10, tags: ['export'] });
    const read = await CompanyModel.findById(created._id).lean();
    expect(read).to.include({ code: 'C1', employees: 10 });
    await CompanyModel.updateOne({ _id: created._id }, { $set: { employees: 12 } });
    expect((await CompanyModel.findOne({ code: 'C1' }))?.employees).to.equal(12);
    const doc = await CompanyModel.findOne({ code: 'C1' });
    doc!.name = 'Renamed';
    await doc!.save();
    expect((await CompanyModel.findOne({ code: 'C1' }).lean())?.name).to.equal('Renamed');
    await CompanyModel.deleteOne({ code: 'C1' });
    expect(await CompanyModel.countDocuments({ code: 'C1' })).to.equal(0);
  });

  it('findOneAndUpdate with $set, $inc and $push returns the updated document', async () => {
    await CompanyModel.create({ ...base('C2'), employees: 1, tags: [] });
    const updated = await CompanyModel.findOneAndUpdate(
      { code: 'C2' },
      { $set: { name: 'Two' }, $inc: { employees: 4 }, $push: { tags: 'new' } },
      { returnDocument: 'after' },
    ).lean();
    expect(updated).to.include({ name: 'Two', employees: 5 });
    expect(updated?.tags).to.deep.equal(['new']);
  });

  it('upserts through findOneAndUpdate', async () => {
    const doc = await CompanyModel.findOneAndUpdate(
      { code: 'C3' },
      { $setOnInsert: { name: 'Three', city: 'Huzhou', district: 'Nanxun' }, $inc: { employees: 1 } },
      { upsert: true, returnDocument: 'after' },
    ).lean();
    expect(doc).to.include({ code: 'C3', name: 'Three', employees: 1 });
    const again = await CompanyModel.findOneAndUpdate(
      { code: 'C3' },
      { $inc: { employees: 1 } },
      { upsert: true, returnDocument: 'after' },
    ).lean();
    expect(again?._id.toString()).to.equal(doc?._id.toString());
    expect(again?.employees).to.equal(2);
  });

  it('applies arrayFilters', async () => {
    await CompanyModel.create({
      ...base('C4'),
      contacts: [
        { name: 'a', primary: false },
        { name: 'b', primary: false },
      ],
    });
    await CompanyModel.updateOne(
      { code: 'C4' },
      { $set: { 'contacts.$[c].primary': true } },
      { arrayFilters: [{ 'c.name': 'b' }] },
    );
    const doc = await CompanyModel.findOne({ code: 'C4' }).lean();
    expect(doc?.contacts.map((c) => c.primary)).to.deep.equal([false, true]);
  });

  it('surfaces duplicate keys as code 11000, on the unique and the compound index', async () => {
    await CompanyModel.create(base('D1', 'Dup'));
    const sameCode = await CompanyModel.create(base('D1', 'Other')).catch((e: unknown) => e);
    expect(sameCode).to.include({ code: 11000 });
    expect((sameCode as { keyValue: unknown }).keyValue).to.deep.equal({ code: 'D1' });
    const sameName = await CompanyModel.create(base('D2', 'Dup')).catch((e: unknown) => e);
    expect(sameName).to.include({ code: 11000 });
    expect((sameName as { keyPattern: unknown }).keyPattern).to.deep.equal({ city: 1, district: 1, name: 1 });
  });

  it('joins issues to companies with $lookup', async () => {
    const co = await CompanyModel.create(base('L1', 'Lookup Co'));
    await IssueModel.create([
      { company: co._id, title: 'power cut', status: 'open' },
      { company: co._id, title: 'permit delay', status: 'closed' },
    ]);
    const rows = await IssueModel.aggregate([
      { $match: { company: co._id } },
      { $lookup: { from: 'companies', localField: 'company', foreignField: '_id', as: 'co' } },
      { $unwind: '$co' },
      { $group: { _id: '$co.name', n: { $sum: 1 } } },
    ]);
    expect(rows).to.deep.equal([{ _id: 'Lookup Co', n: 2 }]);
  });

  it('round-trips Decimal128, BigInt (Long), Buffer, Date and Map', async () => {
    const founded = new Date('2001-09-09T01:46:40Z');
    await CompanyModel.create({
      ...base('T1'),
      capital: Types.Decimal128.fromString('1234567.89'),
      revenue: 9007199254740993n,
      logo: Buffer.from([0, 255, 1]),
      founded,
      extra: new Map([['license', 'ZJ-1']]),
    });
    const doc = await CompanyModel.findOne({ code: 'T1' });
    expect(doc?.capital?.toString()).to.equal('1234567.89');
    expect(doc?.revenue).to.equal(9007199254740993n);
    expect(Buffer.from(doc!.logo!).equals(Buffer.from([0, 255, 1]))).to.equal(true);
    expect(doc?.founded?.getTime()).to.equal(founded.getTime());
    expect(doc?.extra?.get('license')).to.equal('ZJ-1');
  });

  it('stores Schema.Types.Double 5 as a BSON double and Int32 as int32, and reads them back', async () => {
    await CompanyModel.create({ ...base('T2'), score: 5, rank: 7 });
    const stored = await CompanyModel.collection.findOne(
      { code: 'T2' },
      { promoteValues: false, projection: { score: 1, rank: 1 } },
    );
    expect(stored?.score?._bsontype).to.equal('Double');
    expect(stored?.rank?._bsontype).to.equal('Int32');
    const doc = await CompanyModel.findOne({ code: 'T2' }).lean();
    expect(doc).to.include({ score: 5, rank: 7 });
    const hits = await CompanyModel.countDocuments({ score: { $gte: 5 }, rank: 7 });
    expect(hits).to.equal(1);
  });

  it('iterates 500 documents with a query cursor across getMores', async () => {
    await IssueModel.insertMany(
      Array.from({ length: 500 }, (_, i) => ({
        company: new Types.ObjectId(),
        title: `bulk ${i}`,
        status: 'bulk',
      })),
    );
    getMores.length = 0;
    let n = 0;
    for await (const _doc of IssueModel.find({ status: 'bulk' }).batchSize(120).cursor()) n++;
    expect(n).to.equal(500);
    expect(getMores).to.have.length(4);
  });
});
