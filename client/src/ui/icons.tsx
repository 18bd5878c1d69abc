import type { JSX } from 'preact';

// Simple stroke icons drawn here (no icon font, no extra request); decorative: the button carries the label.
type P = { size?: number };
const Svg = ({ size = 48, children }: P & { children: JSX.Element | JSX.Element[] }) => (
  <svg
    width={size}
    height={size}
    viewBox="0 0 48 48"
    fill="none"
    stroke="currentColor"
    stroke-width="3"
    stroke-linecap="round"
    stroke-linejoin="round"
    aria-hidden="true"
    focusable="false"
  >
    {children}
  </svg>
);

export const Scale = (p: P) => (
  <Svg {...p}>
    <path d="M24 6v36M12 42h24M8 14h32" />
    <path d="M8 14l-6 14h12zM40 14l-6 14h12z" />
  </Svg>
);
/** Violence: an open hand raised to say "stop" (never a shield or a check mark, which read as "safe"). */
export const StopHand = (p: P) => (
  <Svg {...p}>
    <path d="M15 25V12a3 3 0 016 0v10M21 21V7a3 3 0 016 0v14M27 21V9a3 3 0 016 0v13" />
    <path d="M33 22v-6a3 3 0 016 0v12c0 9-6 16-15 16h-2c-5 0-8-2-11-5l-7-8a3 3 0 014-4l5 4V25" />
  </Svg>
);
export const Chain = (p: P) => (
  <Svg {...p}>
    <rect x="4" y="17" width="20" height="14" rx="7" />
    <rect x="24" y="17" width="20" height="14" rx="7" />
    <path d="M18 24h12" />
  </Svg>
);
export const Speech = (p: P) => (
  <Svg {...p}>
    <path d="M6 8h36v24H20l-10 8v-8H6z" />
    <path d="M14 18h20M14 24h12" />
  </Svg>
);
export const Phone = (p: P) => (
  <Svg {...p}>
    <path d="M14 4l6 10-4 4c2 6 8 12 14 14l4-4 10 6-4 8C22 42 6 26 6 8z" />
  </Svg>
);
export const HangUp = (p: P) => (
  <Svg {...p}>
    <path d="M4 28c12-10 28-10 40 0l-4 6-8-4v-6c-5-2-11-2-16 0v6l-8 4z" />
  </Svg>
);
export const Mic = ({ off, ...p }: P & { off?: boolean }) => (
  <Svg {...p}>
    <rect x="17" y="4" width="14" height="24" rx="7" />
    <path d="M10 22c0 8 6 14 14 14s14-6 14-14M24 36v8M16 44h16" />
    {off ? <path d="M6 6l36 36" /> : <g />}
  </Svg>
);
export const Door = (p: P) => (
  <Svg {...p}>
    <path d="M8 44V4h22v40M30 24h14M38 18l6 6-6 6" />
  </Svg>
);
/** A girl: small (she stands in the lower half), a big head with two plaits, holding a balloon. */
export const Child = (p: P) => (
  <Svg {...p}>
    <circle cx="20" cy="24" r="5" />
    <path d="M15 22l-3 4M25 22l3 4" />
    <path d="M20 29l-6 9h12zM17 38v6M23 38v6M24 33l8-8" />
    <circle cx="36" cy="12" r="6" />
    <path d="M36 18l-3 6" />
  </Svg>
);
/** A grown woman: the whole height, long hair to the shoulders, a dress. */
export const Woman = (p: P) => (
  <Svg {...p}>
    <circle cx="24" cy="9" r="5.5" />
    <path d="M17 17c0-8 2-14 7-14s7 6 7 14" />
    <path d="M24 17l-10 17h20zM20 34v10M28 34v10M18 22l-6 8M30 22l6 8" />
  </Svg>
);
export const Siren = (p: P) => (
  <Svg {...p}>
    <path d="M12 38V26a12 12 0 0124 0v12M8 38h32v6H8zM24 4v6M6 12l4 4M42 12l-4 4" />
  </Svg>
);
export const Person = ({ filled, ...p }: P & { filled?: boolean }) => (
  <svg
    width={p.size ?? 32}
    height={p.size ?? 32}
    viewBox="0 0 48 48"
    aria-hidden="true"
    focusable="false"
    fill={filled ? 'currentColor' : 'none'}
    stroke="currentColor"
    stroke-width="3"
  >
    <circle cx="24" cy="12" r="8" />
    <path d="M8 46c0-12 7-20 16-20s16 8 16 20z" />
  </svg>
);
export const Check = (p: P) => (
  <Svg {...p}>
    <path d="M8 26l10 10 22-24" />
  </Svg>
);
export const Cross = (p: P) => (
  <Svg {...p}>
    <path d="M10 10l28 28M38 10L10 38" />
  </Svg>
);
export const Back = (p: P) => (
  <Svg {...p}>
    <path d="M30 8L14 24l16 16" />
  </Svg>
);
export const Globe = (p: P) => (
  <Svg {...p}>
    <circle cx="24" cy="24" r="19" />
    <path d="M5 24h38M24 5c-6 6-8 12-8 19s2 13 8 19M24 5c6 6 8 12 8 19s-2 13-8 19" />
  </Svg>
);
/** A loudspeaker; with waves when loud. */
export const Speaker = ({ loud, ...p }: P & { loud?: boolean }) => (
  <Svg {...p}>
    <path d="M6 18h8l10-8v28l-10-8H6z" />
    {loud ? <path d="M31 17c3 4 3 10 0 14M36 12c6 7 6 17 0 24" /> : <path d="M31 20c2 2 2 6 0 8" />}
  </Svg>
);
/** Tap to hear (a spoken cue or a greeting). */
export const Ear = (p: P) => (
  <Svg {...p}>
    <path d="M14 20a10 10 0 0120 0c0 6-6 8-6 14a6 6 0 01-11 3" />
    <path d="M20 21a4 4 0 018 0c0 3-3 4-3 7" />
  </Svg>
);
export const Question = (p: P) => (
  <Svg {...p}>
    <circle cx="24" cy="24" r="19" />
    <path d="M18 18a6 6 0 1112 0c0 4-6 5-6 10M24 35v1" />
  </Svg>
);
/** No connection: a signal with a stroke through it. */
export const NoSignal = (p: P) => (
  <Svg {...p}>
    <path d="M8 20c9-9 23-9 32 0M14 27c6-6 14-6 20 0M20 34c2-2 6-2 8 0M24 40v1M6 6l36 36" />
  </Svg>
);
export const Pin = (p: P) => (
  <Svg {...p}>
    <path d="M24 44s14-14 14-24a14 14 0 00-28 0c0 10 14 24 14 24z" />
    <circle cx="24" cy="20" r="5" />
  </Svg>
);
export const Play = (p: P) => (
  <Svg {...p}>
    <path d="M16 10l22 14-22 14z" />
  </Svg>
);
export const Upload = (p: P) => (
  <Svg {...p}>
    <path d="M24 32V8M14 18l10-10 10 10M8 34v6h32v-6" />
  </Svg>
);
/** "Not from my country": a map pin crossed out. */
export const NotHere = (p: P) => (
  <Svg {...p}>
    <path d="M24 44s-13-13-13-24a13 13 0 0126 0c0 11-13 24-13 24z" />
    <circle cx="24" cy="20" r="4" />
    <path d="M6 6l36 36" />
  </Svg>
);
/** Whoever is free: two people side by side. */
export const Anyone = (p: P) => (
  <Svg {...p}>
    <circle cx="15" cy="12" r="5" />
    <circle cx="33" cy="12" r="5" />
    <path d="M5 42c0-10 4-16 10-16s10 6 10 16M23 42c0-10 4-16 10-16s10 6 10 16" />
  </Svg>
);
/** Another interpreter: a person and the arrows of a swap. */
export const Swap = (p: P) => (
  <Svg {...p}>
    <circle cx="24" cy="14" r="6" />
    <path d="M12 44c0-9 5-15 12-15s12 6 12 15" />
    <path d="M4 18h8l-3-3M4 18l3 3M44 30h-8l3-3M44 30l-3 3" />
  </Svg>
);
/** Waiting: an hourglass. */
export const Hourglass = (p: P) => (
  <Svg {...p}>
    <path d="M12 4h24M12 44h24M14 4c0 12 20 12 20 20S14 32 14 44M34 4c0 12-20 12-20 20s20 8 20 20" />
  </Svg>
);
/** The three faces of the question after a call. */
export const FaceHappy = (p: P) => (
  <Svg {...p}>
    <circle cx="24" cy="24" r="19" />
    <path d="M17 19v2M31 19v2M15 29c5 6 13 6 18 0" />
  </Svg>
);
export const FaceUnsure = (p: P) => (
  <Svg {...p}>
    <circle cx="24" cy="24" r="19" />
    <path d="M17 19v2M31 19v2M16 31h16" />
  </Svg>
);
export const FaceSad = (p: P) => (
  <Svg {...p}>
    <circle cx="24" cy="24" r="19" />
    <path d="M17 19v2M31 19v2M15 34c5-6 13-6 18 0" />
  </Svg>
);
/** Her way back: an arrow turning back to a person. */
export const ComeBack = (p: P) => (
  <Svg {...p}>
    <path d="M30 30H14a8 8 0 010-16h8" />
    <path d="M18 24l-6 6 6 6" />
    <circle cx="36" cy="14" r="5" />
    <path d="M28 42c0-6 4-10 8-10s8 4 8 10" />
  </Svg>
);

/** Private: a closed padlock. */
export const Lock = (p: P) => (
  <Svg {...p}>
    <rect x="10" y="22" width="28" height="20" rx="3" />
    <path d="M16 22v-6a8 8 0 0116 0v6M24 30v5" />
  </Svg>
);
/** Free: a coin, struck through. */
export const Free = (p: P) => (
  <Svg {...p}>
    <circle cx="24" cy="24" r="15" />
    <path d="M24 15v18M19 19h8a3 3 0 010 6h-6a3 3 0 000 6h8M8 40L40 8" />
  </Svg>
);

// A return code's digits as pictures (0-9), for a woman who keeps it without reading: things named alike in any language.
const Sun = (p: P) => (
  <Svg {...p}>
    <circle cx="24" cy="24" r="8" />
    <path d="M24 4v6M24 38v6M4 24h6M38 24h6M10 10l4 4M34 34l4 4M38 10l-4 4M14 34l-4 4" />
  </Svg>
);
const Moon = (p: P) => (
  <Svg {...p}>
    <path d="M32 6a18 18 0 100 36 14 18 0 010-36z" />
  </Svg>
);
const Star = (p: P) => (
  <Svg {...p}>
    <path d="M24 4l6 13 14 2-10 10 2 14-12-7-12 7 2-14L4 19l14-2z" />
  </Svg>
);
const Tree = (p: P) => (
  <Svg {...p}>
    <path d="M24 4L10 26h28zM24 14L8 36h32z" />
    <path d="M24 36v8" />
  </Svg>
);
const Flower = (p: P) => (
  <Svg {...p}>
    <circle cx="24" cy="16" r="4" />
    <circle cx="24" cy="7" r="5" />
    <circle cx="33" cy="16" r="5" />
    <circle cx="15" cy="16" r="5" />
    <circle cx="24" cy="25" r="5" />
    <path d="M24 30v14M24 38c-4-4-9-4-11-2M24 36c4-4 9-4 11-2" />
  </Svg>
);
const Fish = (p: P) => (
  <Svg {...p}>
    <path d="M6 24c8-12 24-12 30 0-6 12-22 12-30 0z" />
    <path d="M36 24l8-8v16z" />
    <circle cx="16" cy="22" r="1.5" />
  </Svg>
);
const Bird = (p: P) => (
  <Svg {...p}>
    <path d="M4 20c6-6 12-6 20 2 8-8 14-8 20-2" />
    <path d="M14 34c4-3 8-3 10 0 2-3 6-3 10 0" />
  </Svg>
);
const House = (p: P) => (
  <Svg {...p}>
    <path d="M6 22L24 6l18 16" />
    <path d="M10 20v22h28V20" />
    <path d="M20 42V30h8v12" />
  </Svg>
);
const Heart = (p: P) => (
  <Svg {...p}>
    <path d="M24 42S4 30 4 17a10 10 0 0120-3 10 10 0 0120 3c0 13-20 25-20 25z" />
  </Svg>
);
const Drop = (p: P) => (
  <Svg {...p}>
    <path d="M24 4s14 16 14 26a14 14 0 01-28 0C10 20 24 4 24 4z" />
  </Svg>
);
/** The picture of each digit, 0 to 9 (named in the strings' codePictures). */
export const CODE_PICTURES = [Sun, Moon, Star, Tree, Flower, Fish, Bird, House, Heart, Drop];
