import { useEffect, useState } from 'preact/hooks';
import { api, type Language } from '../lib/api';

/**
 * The whole catalogue by id, for the staff consoles to name languages with. Asked again (2, 4, 8... up to 30 seconds
 * apart) until it comes: one request lost to a slow or broken network must not leave ids where names belong.
 */
export function useLanguageNames(): Map<string, Language> {
  const [languages, setLanguages] = useState<Map<string, Language>>(new Map());
  useEffect(() => {
    let gone = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = (wait: number) =>
      api.catalogue().then(
        (ls) => gone || setLanguages(new Map(ls.map((l) => [l.id, l]))),
        () => {
          if (!gone) timer = setTimeout(() => void load(Math.min(wait * 2, 30_000)), wait);
        },
      );
    void load(2000);
    return () => {
      gone = true;
      clearTimeout(timer);
    };
  }, []);
  return languages;
}
