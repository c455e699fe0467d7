// The few calls node/store.ts makes on leveldown (the LevelDB binding PouchDB uses on Node).
declare module 'leveldown' {
  type Callback = (err?: Error | null) => void;
  export interface LevelDown {
    readonly location: string;
    open(options: Record<string, unknown>, callback: Callback): void;
    close(callback: Callback): void;
    [method: string]: unknown;
  }
  interface LevelDownFactory {
    (location: string): LevelDown;
    destroy(location: string, callback: Callback): void;
    repair(location: string, callback: Callback): void;
  }
  const leveldown: LevelDownFactory;
  export default leveldown;
}
