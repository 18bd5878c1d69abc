import { useEffect, useState } from 'preact/hooks';

/** Seconds left until `until` (ISO 8601), worded by `label`, updated four times a second. */
export function Countdown({ until, label }: { until: string; label: (s: number) => string }) {
  const left = () => Math.max(0, Math.ceil((Date.parse(until) - Date.now()) / 1000));
  const [s, setS] = useState(left);
  useEffect(() => {
    const timer = setInterval(() => setS(left()), 250);
    return () => clearInterval(timer);
  }, [until]);
  return (
    <p class="countdown" aria-live="off">
      {label(s)}
    </p>
  );
}
