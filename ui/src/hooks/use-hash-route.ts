// The current page from the URL fragment; follows Back/Forward and links.
import { useEffect, useState } from 'preact/hooks';
import { parseHash, type Route } from '../lib/hash-route.ts';

export function useHashRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseHash(location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

export function navigate(href: string): void {
  location.hash = href.replace(/^#/, '');
}
