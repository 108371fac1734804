// A router's health as colour and word (colour alone says nothing to a screen reader or to the
// colour-blind).

const LABELS: Record<string, string> = {
  healthy: 'healthy',
  suspect: 'suspect',
  down: 'down',
  draining: 'draining',
};

export function HealthBadge(props: { health: string | null }) {
  const health = props.health ?? 'unknown';
  return (
    <span class={`badge health-${LABELS[health] ? health : 'unknown'}`}>
      {LABELS[health] ?? 'no verdict yet'}
    </span>
  );
}

export function OnlineDot(props: { online: boolean }) {
  return <span class={`dot ${props.online ? 'dot-online' : 'dot-offline'}`} aria-hidden="true" />;
}
