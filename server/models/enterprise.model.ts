// Enterprises, keyed by their unified social credit code. The QR token printed on the enterprise code is
// random (256 bits), unique and rotatable, and deliberately unrelated to the credit code so that knowing an
// enterprise's public registration data never lets anyone open its page.
import { randomBytes } from 'node:crypto';
import { Schema, type Connection, type Model, type Types } from 'mongoose';
import type { Clock } from '../../shared/clock.ts';
import { isValidCreditCode, normalizeCreditCode } from '../../shared/credit-code.ts';
import { enterpriseNameKey } from '../../shared/enterprise-name.ts';
import { maxChars } from './max-chars.ts';

export const MOBILE_PATTERN = /^1[3-9]\d{9}$/;

/** A fresh enterprise-code token: 32 random bytes, URL-safe. */
export function newQrToken(): string {
  return randomBytes(32).toString('base64url');
}

/** How an enterprise can hear from the centre; its verified owner chooses on the QR page. */
export const ENTERPRISE_CHANNELS = ['sms', 'wechat', 'email'] as const;
export type EnterpriseChannel = (typeof ENTERPRISE_CHANNELS)[number];

/** The owner's choice (server/notify/preference.command.ts); without one, an SMS to the registered mobile. */
export interface NotifyPreference {
  channel: EnterpriseChannel;
  /** Where mail goes when the channel is email (required then). */
  email: string | null;
  updatedAt: Date;
}

/** An accepted sender's address: a mail address in `emails`, or a WeChat follower in `wechatOpenids`. */
export type SenderChannel = 'email' | 'wechat';

/** Who accepted a sender's address for the enterprise, when and how (EnterpriseDoc.senderAcceptances). */
export interface SenderAcceptance {
  channel: SenderChannel;
  address: string;
  at: Date;
  /** The staff member's display name. */
  by: string;
  how: 'merge' | 'confirm';
  /** The provisional enterprise's name it came with. */
  from: string;
}

/** A provisional enterprise may have no credit code, so uniqueness covers only those that have one. */
const CREDIT_CODE_PRESENT = Object.freeze({ creditCode: { $exists: true } });

export interface EnterpriseDoc {
  _id: Types.ObjectId;
  /** Empty only on a provisional enterprise whose message named none. */
  creditCode: string;
  name: string;
  /** Region code of the county/district where it is registered. */
  region: string;
  /**
   * The code of its township (乡镇/街道) unit, one of its county's, when known: read from the address when it is
   * registered, or set by staff (empty: staff said none). Intake routes local matters to that township first
   * (route-issue.ts).
   */
  township?: string;
  industry: string;
  address: string;
  ownerName: string;
  /** Registered mobile; one-time codes for owner verification go here. */
  mobile: string;
  qrToken: string;
  /** The printed tokens of provisional enterprises merged into this one; not selected by default. */
  mergedQrTokens?: string[];
  qrIssuedAt: Date;
  /** scrypt hash of the owner's PIN; not selected by default. */
  pinHash: string | null;
  /** Consecutive wrong PINs on the QR page; at MAX_PIN_FAILURES the PIN is locked until staff set a new one. */
  pinFailures: number;
  /** enterpriseNameKey(name): intake's normalised name match. */
  nameKey?: string;
  /** Registered email address, as staff entered it (the one the enterprise is written to). */
  email?: string;
  /**
   * Every address intake knows the enterprise by, and matches mail senders on: the registered one and the
   * senders' addresses of provisional enterprises merged into it. Unique per address, so a sender never
   * matches two enterprises.
   */
  emails?: string[];
  /** WeChat openids bound to the enterprise (intake matches WeChat senders on them). */
  wechatOpenids?: string[];
  /**
   * How the senders' addresses among `emails` and `wechatOpenids` were accepted (the centre's merge or confirm
   * with 来信人已核实), one entry per acceptance; not selected by default. Those accepted before it was kept
   * have none. The lists decide what matches; this only says where an address came from.
   */
  senderAcceptances?: SenderAcceptance[];
  /**
   * Created by intake for a message from an enterprise not in the register: the centre confirms it (it becomes
   * a normal entry) or merges it into the known enterprise it really is.
   */
  provisional?: boolean;
  /** Why intake created it (what the message said), for the centre's review. */
  provisionalNote?: string;
  /**
   * A provisional enterprise being merged: where into, and the sender addresses taken off it (each is one
   * enterprise's at a time) until the enterprise merged into holds them. A merge cut short finishes into the
   * same enterprise when it is asked again (routes/enterprises/provisional.commands.ts).
   */
  mergingInto?: Types.ObjectId;
  mergingEmails?: string[];
  /**
   * Owner sessions on the QR page, and the owner's known browsers, carry the version they were issued at;
   * logging out, a new PIN and a rotated code bump it, so a copied or replayed session cookie stops working and
   * every known browser is forgotten at once, in every process (routes/public/qr-session.ts,
   * qr-known-browser.ts).
   */
  ownerSessionVersion: number;
  /**
   * The owner's notification channel. Kept on the enterprise, so the read that gives the notifier the
   * enterprise's addresses (intake passes its own on) gives the choice too.
   */
  notify?: NotifyPreference;
  createdAt: Date;
  updatedAt: Date;
}

export type EnterpriseModel = Model<EnterpriseDoc>;

export function defineEnterpriseModel(conn: Connection, clock: Clock): EnterpriseModel {
  const schema = new Schema<EnterpriseDoc>(
    {
      creditCode: {
        type: String,
        required: function (this: { provisional?: boolean }) {
          return !this.provisional;
        },
        set: (v: unknown) => (typeof v === 'string' ? normalizeCreditCode(v) : v),
        validate: {
          validator: (v: string) => v === undefined || isValidCreditCode(v),
          message: '统一社会信用代码无效',
        },
      },
      name: { type: String, required: true, trim: true, validate: maxChars(100) },
      region: { type: String, required: true, trim: true, validate: maxChars(40) },
      township: { type: String, trim: true, validate: maxChars(40) },
      industry: { type: String, default: '', trim: true, validate: maxChars(50) },
      address: { type: String, default: '', trim: true, validate: maxChars(200) },
      ownerName: { type: String, default: '', trim: true, validate: maxChars(50) },
      mobile: {
        type: String,
        required: function (this: { provisional?: boolean }) {
          return !this.provisional;
        },
        match: MOBILE_PATTERN,
      },
      qrToken: { type: String, required: true, default: newQrToken },
      // The printed tokens of provisional enterprises merged into this one: their page says where the issues went.
      mergedQrTokens: { type: [String], default: undefined, select: false },
      qrIssuedAt: { type: Date, required: true, default: () => clock.now() },
      pinHash: { type: String, default: null, select: false },
      pinFailures: { type: Number, default: 0, select: false },
      nameKey: { type: String },
      email: { type: String, trim: true, lowercase: true, validate: maxChars(200) },
      emails: { type: [{ type: String, trim: true, lowercase: true }], default: undefined },
      wechatOpenids: { type: [String], default: undefined },
      senderAcceptances: {
        type: [
          new Schema<SenderAcceptance>(
            {
              channel: { type: String, enum: ['email', 'wechat'], required: true },
              address: { type: String, required: true },
              at: { type: Date, required: true },
              by: { type: String, default: '' },
              how: { type: String, enum: ['merge', 'confirm'], required: true },
              from: { type: String, default: '' },
            },
            { _id: false },
          ),
        ],
        default: undefined,
        select: false,
      },
      provisional: { type: Boolean },
      provisionalNote: { type: String, validate: maxChars(500) },
      mergingInto: { type: Schema.Types.ObjectId },
      mergingEmails: { type: [String], default: undefined },
      ownerSessionVersion: { type: Number, default: 0, select: false },
      notify: {
        type: new Schema<NotifyPreference>(
          {
            channel: { type: String, enum: ENTERPRISE_CHANNELS, required: true },
            email: { type: String, default: null, validate: maxChars(200) },
            updatedAt: { type: Date, required: true },
          },
          { _id: false },
        ),
        default: undefined,
      },
    },
    { timestamps: { currentTime: () => clock.now() }, collection: 'enterprises' },
  );
  schema.pre('validate', function () {
    if (this.isModified('name') || !this.nameKey) this.nameKey = enterpriseNameKey(this.name ?? '');
  });
  schema.index({ creditCode: 1 }, { unique: true, partialFilterExpression: CREDIT_CODE_PRESENT });
  schema.index({ qrToken: 1 }, { unique: true });
  schema.index({ mergedQrTokens: 1 }, { partialFilterExpression: { mergedQrTokens: { $exists: true } } });
  // The directory's list orders by (name, _id) and pages by a keyset cursor on both
  // (server/enterprises/enterprise-list.query.ts); region and industry filters lead their own index.
  schema.index({ region: 1, name: 1, _id: 1 });
  schema.index({ industry: 1, name: 1, _id: 1 });
  schema.index({ name: 1, _id: 1 });
  // Intake's matching: the normalised name, the registered mobile, the known email addresses, bound WeChat
  // openids, and the centre's list of provisional enterprises.
  schema.index({ nameKey: 1 });
  schema.index({ mobile: 1 });
  // (A list is never left empty, but removed: a unique index keys every empty array as the same value.)
  schema.index({ emails: 1 }, { unique: true, partialFilterExpression: { emails: { $exists: true } } });
  schema.index({ wechatOpenids: 1 }, { partialFilterExpression: { wechatOpenids: { $exists: true } } });
  schema.index({ provisional: 1, createdAt: -1 }, { partialFilterExpression: { provisional: true } });
  return conn.model<EnterpriseDoc>('Enterprise', schema);
}

/** An address two enterprises registered never matched either (ambiguous), and is left for staff to sort out. */
async function copyRegisteredEmails(model: EnterpriseModel): Promise<void> {
  const docs = await model.collection
    .find({ email: { $type: 'string' }, emails: { $exists: false } }, { projection: { email: 1 } })
    .toArray();
  if (!docs.length) return;
  const count = new Map<string, number>();
  for (const d of docs) count.set(d.email, (count.get(d.email) ?? 0) + 1);
  const taken = new Set(
    (await model.collection.distinct('emails', { emails: { $in: [...count.keys()] } })) as string[],
  );
  const unique = docs.filter((d) => count.get(d.email) === 1 && !taken.has(d.email));
  if (unique.length)
    await model.collection.bulkWrite(
      unique.map((d) => ({
        updateOne: { filter: { _id: d._id }, update: { $set: { emails: [d.email as string] } } },
      })),
    );
}

/** Where earlier versions kept the owner's notification channel, one row per enterprise beside it. */
const OLD_PREFERENCES = 'notify_preferences';

/**
 * Every notification to an enterprise read its row there beside the enterprise itself; the choice now lives
 * on the enterprise (`notify`). Moved once, then the old collection is dropped (after the copy, so a crash
 * between the two copies again; an enterprise that already has a choice keeps it).
 */
async function movePreferences(model: EnterpriseModel): Promise<void> {
  const db = model.db.db;
  if (!db) return;
  const [old] = await db.listCollections({ name: OLD_PREFERENCES }, { nameOnly: true }).toArray();
  if (!old) return;
  const rows = await db.collection(OLD_PREFERENCES).find({}).toArray();
  if (rows.length)
    await model.collection.bulkWrite(
      rows.map((r) => ({
        updateOne: {
          filter: { _id: r.enterpriseId, notify: { $exists: false } },
          update: {
            $set: { notify: { channel: r.channel, email: r.email ?? null, updatedAt: r.updatedAt } },
          },
        },
      })),
      { ordered: false },
    );
  await db.dropCollection(OLD_PREFERENCES);
}

/**
 * Earlier versions made the credit code unique over every enterprise; provisional ones may lack it, so that
 * index is replaced by the partial one. Intake matched mail on the one registered address (`email_1`); it now
 * matches on the known addresses, so those stored before are copied there. Also fills the normalised name of
 * enterprises stored before it existed, and moves the owners' notification choices onto their enterprises.
 */
export async function migrateEnterpriseIndexes(model: EnterpriseModel): Promise<void> {
  const indexes: { name: string; partialFilterExpression?: unknown }[] = await model
    .listIndexes()
    .catch(() => []);
  const old = indexes.find((ix) => ix.name === 'creditCode_1' && !ix.partialFilterExpression);
  if (old) await model.collection.dropIndex('creditCode_1');
  // Once: the old index's presence says the addresses were stored before (copied first, so a crash between
  // the two leaves the index, and the copy runs again).
  if (indexes.some((ix) => ix.name === 'email_1')) {
    await copyRegisteredEmails(model);
    await model.collection.dropIndex('email_1');
  }
  await movePreferences(model);
  const missing = await model.collection
    .find({ nameKey: { $exists: false } }, { projection: { name: 1 } })
    .toArray();
  if (missing.length) {
    await model.collection.bulkWrite(
      missing.map((e) => ({
        updateOne: {
          filter: { _id: e._id },
          update: { $set: { nameKey: enterpriseNameKey(String(e.name ?? '')) } },
        },
      })),
    );
  }
}
