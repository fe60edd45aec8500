import type { ServerFrame, Snapshot, TransportName } from '@fg/protocol/frames';
import type { ConnectionStatus } from '../types.js';

/** What tabs say to each other on the BroadcastChannel. */
export type RelayMessage =
  /** Leader -> followers: one frame as received from the server (already validated there, validated again here). */
  | { readonly t: 'frame'; readonly frame: ServerFrame }
  /**
   * Leader -> followers: its connection status, and how long its live connection may be
   * silent (`l`, ms: a poll is quiet far longer than a WebSocket).
   */
  | {
      readonly t: 'status';
      readonly status: ConnectionStatus;
      readonly transport: TransportName | null;
      readonly l?: number;
    }
  /** Follower -> leader: "send me the current state" (on joining, or after a gap). */
  | { readonly t: 'sync' }
  /**
   * Leader -> followers: the current state, how long ago the server confirmed it (`h`, ms),
   * and the leader's estimate of the server's clock offset (`o`, ms): the state's own
   * `serverTime` is as old as the leader's snapshot, so it says nothing about the clock now.
   */
  | {
      readonly t: 'state';
      readonly snapshot: Snapshot | null;
      readonly status: ConnectionStatus;
      readonly transport: TransportName | null;
      readonly l?: number;
      readonly h?: number;
      readonly o?: number;
    };

export interface Relay {
  _post(message: RelayMessage): void;
  _close(): void;
}

/**
 * One BroadcastChannel per lock name. Messages from another version of the library are
 * only as trustworthy as any frame: the receiver validates them like server frames.
 */
export function openRelay(
  Channel: typeof BroadcastChannel,
  name: string,
  onMessage: (message: RelayMessage) => void,
): Relay {
  const channel = new Channel(name);
  channel.onmessage = (event: MessageEvent) => {
    const data: unknown = event.data;
    if (data && typeof data === 'object' && typeof (data as { t?: unknown }).t === 'string') {
      onMessage(data as RelayMessage);
    }
  };
  return {
    _post(message) {
      try {
        channel.postMessage(message);
      } catch {
        // Closed (a closed channel throws), or a tab being torn down: nothing to relay to.
      }
    },
    _close: () => channel.close(),
  };
}
