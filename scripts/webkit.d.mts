export declare const MINIBROWSER: string;
export declare const WEBKIT_CAPABILITIES: {
  browserName: string;
  'wdio:enforceWebDriverClassic': boolean;
  'webkitgtk:browserOptions': { binary: string; args: string[] };
};
export declare function retried<T>(what: string, start: () => Promise<T>): Promise<T>;
export declare function startWebKitDriver(): Promise<{ port: number; stop: () => void }>;
