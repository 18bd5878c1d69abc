import type { Call } from '../lib/call';
import type { Signal } from '../lib/socket';

/** What a call needs from mediasoup-client and socket.io-client, which the first screens never load. */
export interface CallLibs {
  Call: typeof Call;
  openMicrophone: () => Promise<MediaStream>;
  connectSignal: (token: string, fresh?: boolean) => Signal;
}

let loading: Promise<CallLibs> | undefined;

/**
 * The call libraries, fetched once: in the background after she has chosen her language (so step 1 loads
 * without them on a slow phone), or at the latest when she taps call. A failed fetch (no network) is tried
 * again at the next call.
 */
export function callLibs(): Promise<CallLibs> {
  loading ??= Promise.all([import('../lib/call'), import('../lib/socket')]).then(
    ([call, socket]) => ({ Call: call.Call, openMicrophone: call.openMicrophone, connectSignal: socket.connectSignal }),
    (e: unknown) => {
      loading = undefined;
      throw e;
    },
  );
  return loading;
}
