// Picks the IPAM subnet a network routes (or none), from the subnets that exist.
import type { IpamSubnet } from '../lib/api-types.ts';

export function IpamSelect(props: {
  id: string;
  value: string;
  subnets: readonly IpamSubnet[] | undefined;
  onChange: (prefix: string) => void;
  describedBy?: string;
}) {
  const known = props.subnets ?? [];
  // A bound prefix missing from the list (deleted meanwhile) still shows, so the form does not lie.
  const missing = props.value !== '' && !known.some((s) => s.prefix === props.value);
  return (
    <select
      id={props.id}
      value={props.value}
      aria-describedby={props.describedBy}
      onChange={(e) => props.onChange(e.currentTarget.value)}
    >
      <option value="">None</option>
      {missing && <option value={props.value}>{props.value} (not in IPAM)</option>}
      {known.map((subnet) => (
        <option key={subnet.id} value={subnet.prefix}>
          {subnet.prefix}
          {subnet.name && subnet.name !== subnet.prefix ? ` — ${subnet.name}` : ''}
        </option>
      ))}
    </select>
  );
}
