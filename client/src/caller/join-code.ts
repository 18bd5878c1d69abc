/**
 * The one-time hearing code of `/?join=CODE` (the link an official gives a woman who joins from elsewhere): read
 * once, and taken out of the address bar and of this history entry at once, so that Back, the address bar and
 * the tab's history never show it again. It is kept nowhere but in the page's memory.
 */
export function takeJoinCode(): string | null {
  const params = new URLSearchParams(location.search);
  const code = params.get('join');
  if (code === null) return null;
  params.delete('join');
  const rest = params.toString();
  history.replaceState(null, '', `${location.pathname}${rest ? `?${rest}` : ''}${location.hash}`);
  return code;
}
