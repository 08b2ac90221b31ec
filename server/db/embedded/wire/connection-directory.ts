/**
 * Who is connected: one record per open client connection, so admin commands can answer `whatsmyuri`,
 * `serverStatus.connections` and refuse a second handshake metadata document, without reaching into sockets.
 */
import type { Document } from 'bson';

export interface ConnectionInfo {
  id: number;
  remote: string;
  openedAt: Date;
  /** The driver's handshake `client` document, once received. */
  clientMetadata?: Document;
}

export class ConnectionDirectory {
  private readonly open = new Map<number, ConnectionInfo>();
  private nextId = 1;
  private created = 0;

  add(remote: string, openedAt: Date): ConnectionInfo {
    const info: ConnectionInfo = { id: this.nextId++, remote, openedAt };
    this.open.set(info.id, info);
    this.created++;
    return info;
  }

  remove(id: number): void {
    this.open.delete(id);
  }

  get(id: number): ConnectionInfo | undefined {
    return this.open.get(id);
  }

  get current(): number {
    return this.open.size;
  }

  get totalCreated(): number {
    return this.created;
  }
}
