/**
 * Where she is in the page, one history entry per screen (history.pushState), so that the phone's Back returns
 * to the previous step and Back from the first leaves Puente. The call itself is one more entry: Back during a
 * call lands on the step before it, where the page asks before ending the call.
 */
export type Screen = 'region' | 'language' | 'matter' | 'here' | 'options';
export type Place = Screen | 'call';

/** The step dot each screen lights (step 1 is two screens: the place where her language is spoken, then the language). */
export const STEP_OF: Record<Screen, number> = { region: 1, language: 1, matter: 2, here: 3, options: 4 };
export const STEPS = [1, 2, 3, 4];

interface Entry {
  puente: Place;
  /** How many of Puente's entries come before this one (quick exit goes back over them all). */
  depth: number;
}

const entry = (): Entry | null => {
  const s = history.state as Partial<Entry> | null;
  return s && typeof s.puente === 'string' && typeof s.depth === 'number' ? (s as Entry) : null;
};

let leaving = false;
/** True once quick exit has started: nothing may hold her here any more (no question, no history handling). */
export const isLeaving = () => leaving;

/** This page starts at the first screen; a reload keeps how deep the tab's entries go. */
export function startHistory(onPop: (place: Place) => void): () => void {
  // Each step opens at its top (the page scrolls there itself): the browser must not restore an old position.
  history.scrollRestoration = 'manual';
  history.replaceState({ puente: 'region', depth: entry()?.depth ?? 0 } satisfies Entry, '');
  const pop = (e: PopStateEvent) => {
    if (!leaving) onPop((e.state as Entry | null)?.puente ?? 'region');
  };
  addEventListener('popstate', pop);
  return () => removeEventListener('popstate', pop);
}

/** A new history entry for the screen she goes to. */
export function goTo(place: Place) {
  history.pushState({ puente: place, depth: (entry()?.depth ?? 0) + 1 } satisfies Entry, '');
}

/** The entry shown now. */
export const placeNow = (): Place => entry()?.puente ?? 'region';

/**
 * Back to the tab's first Puente entry, before quick exit replaces it with the neutral page: otherwise Back
 * from there would return to Puente's later entries.
 */
export async function rewindForExit(): Promise<void> {
  leaving = true;
  const depth = entry()?.depth ?? 0;
  if (!depth) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      removeEventListener('popstate', done);
      resolve();
    };
    addEventListener('popstate', done);
    // Bounded: a browser that never reports the traversal must not keep her here.
    setTimeout(done, 1000);
    history.go(-depth);
  });
}
