/**
 * Document-slab memory faulted in on the second core while recovery fills the document stores.
 *
 * Start-up copies every stored document into fresh slabs (doc-store.ts), and the first write to each 4 KiB
 * page of fresh memory is a page fault that the kernel pays for. On this machine's VM a fault costs about
 * 20 µs, so 0.5 GB of issues (100,000) spend about 2.5 s in faults and 4.55 GB (1,000,000) about 25 s: the
 * largest single part of a start. During recovery a helper thread therefore allocates full-size slabs as
 * SharedArrayBuffers, touches every page of each, and hands them over; `DocStore` takes a ready slab instead
 * of allocating one, and its copies then run at memory speed while the faults were taken on the other core.
 *
 * Safety: the helper writes zeros into zeroed memory it has not handed over yet and never touches a slab
 * again after posting it, so no byte the engine writes can be overwritten. When no touched slab is ready
 * (the helper is still starting, or behind), `take` answers undefined and the store allocates as before, so
 * the helper only changes who pays for the faults. It keeps at most `AHEAD` slabs ready, stops with
 * recovery, and the slabs nobody took are freed with it.
 */
import { Worker } from 'node:worker_threads';

/** Where a `DocStore` gets a ready full-size slab; undefined means allocate one as usual. */
export interface SlabSource {
  take(bytes: number): Buffer | undefined;
}

/** Touched slabs the helper keeps ready ahead of the engine (32 MiB with 16 MiB slabs). */
const AHEAD = 2;
const PAGE_BYTES = 4096;

/** The helper thread (plain JavaScript: no loader needed, so it starts in a few milliseconds). */
const HELPER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { bytes, page } = workerData;
let credit = workerData.ahead;
function produce() {
  while (credit > 0) {
    credit--;
    const sab = new SharedArrayBuffer(bytes);
    const view = new Uint8Array(sab);
    for (let i = 0; i < bytes; i += page) view[i] = 0;
    parentPort.postMessage(sab);
  }
}
parentPort.on('message', (taken) => {
  credit += taken;
  produce();
});
produce();
`;

export class SlabReserve implements SlabSource {
  private ready: Buffer[] = [];
  private helper: Worker | undefined;
  private active = false;
  private failed = false;
  /** Slabs handed to stores (for tests and the start-up figures). */
  taken = 0;

  constructor(readonly slabBytes: number) {}

  /** Recovery is filling the stores: full-size slabs will be wanted in bulk. */
  begin(): void {
    this.active = true;
  }

  /**
   * A ready slab of `bytes`, or undefined (allocate one yourself). The first full-size request of a recovery
   * starts the helper, so databases that never fill a full slab never start a thread.
   */
  take(bytes: number): Buffer | undefined {
    if (!this.active || this.failed || bytes !== this.slabBytes) return undefined;
    if (!this.helper) {
      try {
        this.start();
      } catch {
        this.failed = true; // no thread to be had: the stores allocate for themselves, as without the reserve
      }
      return undefined;
    }
    const buf = this.ready.shift();
    if (buf) {
      this.taken++;
      this.helper.postMessage(1);
    }
    return buf;
  }

  /** Recovery is over: stop the helper and drop the slabs nobody took. */
  end(): void {
    this.active = false;
    const helper = this.helper;
    this.helper = undefined;
    this.ready = [];
    if (helper) void helper.terminate();
  }

  private start(): void {
    const helper = new Worker(HELPER_SOURCE, {
      eval: true,
      // No --import hooks (tsx): the helper is plain JavaScript and should start in milliseconds.
      execArgv: [],
      workerData: { bytes: this.slabBytes, page: PAGE_BYTES, ahead: AHEAD },
      resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 },
    });
    helper.unref();
    helper.on('message', (sab: SharedArrayBuffer) => {
      if (this.helper === helper) this.ready.push(Buffer.from(sab));
    });
    // Without the helper every slab is simply allocated by the store, as it always was.
    helper.on('error', () => {
      this.failed = true;
      if (this.helper === helper) this.end();
    });
    this.helper = helper;
  }
}
