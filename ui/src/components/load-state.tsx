// What a view shows while its data loads or when it could not be loaded.
import type { Resource } from '../hooks/use-resource.ts';

export function LoadState(props: { resource: Resource<unknown>; what: string }) {
  const { error, loading, reload } = props.resource;
  if (error) {
    return (
      <div class="error-box" role="alert">
        <p>
          Could not load {props.what}: {error.message}
        </p>
        <button type="button" class="button" onClick={reload}>
          Try again
        </button>
      </div>
    );
  }
  if (loading)
    return (
      <p class="muted" aria-live="polite">
        Loading {props.what}…
      </p>
    );
  return null;
}
