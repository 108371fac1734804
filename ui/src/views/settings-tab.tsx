// Edit a network: addresses, routes, IPAM binding and routing policy. Saving goes through a review
// step that shows what the change would push to whom (the plan preview); only the fields changed
// are sent.
import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { useApp } from '../app-context.ts';
import { ConfirmButton } from '../components/confirm-button.tsx';
import { IpamSelect } from '../components/ipam-select.tsx';
import { LoadState } from '../components/load-state.tsx';
import { PlanPreviewView } from '../components/plan-preview.tsx';
import { navigate } from '../hooks/use-hash-route.ts';
import { useAction } from '../hooks/use-action.ts';
import { useResource, type Resource } from '../hooks/use-resource.ts';
import type { IpamSubnet, NetworkJson, PlanPreview, Route, RoutesReport } from '../lib/api-types.ts';
import {
  FIELD_LABELS,
  changesOf,
  formOf,
  type FieldChange,
  type FormField,
  type NetworkBody,
  type NetworkForm,
} from '../lib/network-form.ts';

function manualRoutesOf(report: RoutesReport): Route[] {
  const seen = new Set<string>();
  const out: Route[] = [];
  for (const r of report.routes) {
    const key = `${r.target} ${r.via}`;
    if (r.source !== 'manual' || seen.has(key)) continue;
    seen.add(key);
    out.push({ target: r.target, via: r.via });
  }
  return out;
}

interface Review {
  body: NetworkBody;
  changes: FieldChange[];
  preview: PlanPreview;
}

export function SettingsTab(props: {
  networkId: string;
  network: Resource<NetworkJson>;
  report: Resource<RoutesReport>;
  onSaved: () => void;
}) {
  const { api } = useApp();
  const { networkId } = props;
  const subnets = useResource(
    (signal) => api.get<{ subnets: IpamSubnet[] }>('/api/v1/ipam/subnets', { signal }).then((r) => r.subnets),
    [],
  );
  const loaded = useMemo(
    () =>
      props.network.data && props.report.data
        ? formOf(props.network.data, manualRoutesOf(props.report.data))
        : undefined,
    [props.network.data, props.report.data],
  );
  const [original, setOriginal] = useState<NetworkForm | undefined>(undefined);
  const [form, setForm] = useState<NetworkForm | undefined>(undefined);
  const [review, setReview] = useState<Review | undefined>(undefined);
  const [errors, setErrors] = useState<Partial<Record<FormField, string>>>({});
  const [run, busy] = useAction();

  const dirty =
    form !== undefined && original !== undefined && JSON.stringify(form) !== JSON.stringify(original);
  // Follow the controller while nothing is being edited; keep the user's edits otherwise.
  useEffect(() => {
    if (!loaded || dirty) return;
    setOriginal(loaded);
    setForm(loaded);
  }, [loaded]);
  const changedMeanwhile =
    dirty && loaded !== undefined && JSON.stringify(loaded) !== JSON.stringify(original);

  useEffect(() => {
    if (review) document.getElementById('preview-title')?.focus();
  }, [review]);

  if (!form || !original) {
    return <LoadState resource={props.network.error ? props.network : props.report} what="the settings" />;
  }

  const set = <K extends FormField>(field: K, value: NetworkForm[K]) => {
    setForm({ ...form, [field]: value });
    setReview(undefined);
    setErrors((e) => ({ ...e, [field]: undefined }));
  };

  const startReview = async (event: Event) => {
    event.preventDefault();
    const { body, changes, errors: problems } = changesOf(original, form);
    setErrors(Object.fromEntries(problems.map((p) => [p.field, p.message])));
    if (problems.length > 0) {
      document.getElementById(`net-${problems[0]!.field}`)?.focus();
      return;
    }
    const preview = await run(() =>
      api.send<PlanPreview>('POST', `/api/v1/networks/${networkId}/plan`, body),
    );
    if (preview) setReview({ body, changes, preview });
  };

  const apply = async () => {
    if (!review) return;
    const saved = await run(
      () => api.send<NetworkJson>('POST', `/controller/network/${networkId}`, review.body),
      'Changes saved and pushed to the members',
    );
    if (!saved) return;
    setReview(undefined);
    props.network.set(() => saved);
    props.onSaved();
    // The next load re-reads the form from the controller (routes as the report now has them).
    setOriginal(undefined);
    setForm(undefined);
  };

  const field = (name: FormField, input: ComponentChildren, help?: string) => (
    <div class="field">
      <label for={`net-${name}`}>{FIELD_LABELS[name]}</label>
      {input}
      {help && (
        <span id={`net-${name}-help`} class="help">
          {help}
        </span>
      )}
      {errors[name] && (
        <span id={`net-${name}-error`} class="field-error">
          {errors[name]}
        </span>
      )}
    </div>
  );
  const describedBy = (name: FormField, help: boolean) =>
    [help ? `net-${name}-help` : '', errors[name] ? `net-${name}-error` : ''].filter(Boolean).join(' ') ||
    undefined;
  const check = (name: 'private' | 'autoAssign' | 'routesFromIpam', help: string) => (
    <div class="field checkbox">
      <input
        id={`net-${name}`}
        type="checkbox"
        checked={form[name]}
        aria-describedby={`net-${name}-help`}
        onChange={(e) => set(name, e.currentTarget.checked)}
      />
      <label for={`net-${name}`}>{FIELD_LABELS[name]}</label>
      <span id={`net-${name}-help`} class="help">
        {help}
      </span>
    </div>
  );

  return (
    <div class="stack">
      <form class="card settings" onSubmit={startReview} aria-label="Network settings">
        {changedMeanwhile && (
          <p class="warning-box" role="status">
            This network was changed by someone else while you edited. Only the fields you changed will be
            sent.
          </p>
        )}
        <fieldset>
          <legend>Network</legend>
          {field(
            'name',
            <input
              id="net-name"
              value={form.name}
              aria-describedby={describedBy('name', false)}
              onInput={(e) => set('name', e.currentTarget.value)}
            />,
          )}
          {check('private', 'Off: anyone who knows the network ID joins.')}
        </fieldset>
        <fieldset>
          <legend>Addresses</legend>
          {check('autoAssign', 'Members get an IPv4 address from the pools when authorised.')}
          {field(
            'pools',
            <textarea
              id="net-pools"
              rows={3}
              value={form.pools}
              aria-describedby={describedBy('pools', true)}
              aria-invalid={errors.pools ? 'true' : undefined}
              onInput={(e) => set('pools', e.currentTarget.value)}
            />,
            'One range per line: 10.147.17.10-10.147.17.200',
          )}
        </fieldset>
        <fieldset>
          <legend>Routes</legend>
          {field(
            'routes',
            <textarea
              id="net-routes"
              rows={4}
              value={form.routes}
              aria-describedby={describedBy('routes', true)}
              aria-invalid={errors.routes ? 'true' : undefined}
              onInput={(e) => set('routes', e.currentTarget.value)}
            />,
            'One per line: 10.147.17.0/24, or 0.0.0.0/0 via 10.147.17.1. Routes from IPAM and routers are added to these.',
          )}
          {field(
            'ipamSubnet',
            <IpamSelect
              id="net-ipamSubnet"
              value={form.ipamSubnet}
              subnets={subnets.data}
              describedBy="net-ipamSubnet-help"
              onChange={(v) => set('ipamSubnet', v)}
            />,
            'The network routes this subnet (added on the IPAM page).',
          )}
          {check(
            'routesFromIpam',
            'On: the parent route plus one route per child subnet. Off: one route for the subnet.',
          )}
          {field(
            'ipamGateway',
            <input
              id="net-ipamGateway"
              value={form.ipamGateway}
              placeholder="none: on link"
              aria-describedby={describedBy('ipamGateway', true)}
              aria-invalid={errors.ipamGateway ? 'true' : undefined}
              onInput={(e) => set('ipamGateway', e.currentTarget.value)}
            />,
            'Via for the parent route when routes come from IPAM.',
          )}
          {field(
            'routeLimitStrategy',
            <select
              id="net-routeLimitStrategy"
              value={form.routeLimitStrategy}
              aria-describedby="net-routeLimitStrategy-help"
              onChange={(e) =>
                set('routeLimitStrategy', e.currentTarget.value as NetworkForm['routeLimitStrategy'])
              }
            >
              <option value="error">Refuse the change</option>
              <option value="aggregate">Merge adjacent routes</option>
            </select>,
            'ZeroTier members take at most 128 routes; routes are never dropped silently.',
          )}
        </fieldset>
        <fieldset>
          <legend>Subnet routers</legend>
          {field(
            'steering',
            <select
              id="net-steering"
              value={form.steering}
              aria-describedby="net-steering-help"
              onChange={(e) => set('steering', e.currentTarget.value as NetworkForm['steering'])}
            >
              <option value="primary">One primary per prefix</option>
              <option value="spread">Spread members over routers</option>
            </select>,
            'Spread shares the load; a router’s loss moves only its share.',
          )}
          {field(
            'failbackSeconds',
            <input
              id="net-failbackSeconds"
              inputMode="decimal"
              value={form.failbackSeconds}
              aria-describedby={describedBy('failbackSeconds', true)}
              aria-invalid={errors.failbackSeconds ? 'true' : undefined}
              onInput={(e) => set('failbackSeconds', e.currentTarget.value)}
            />,
            'How long a better router must stay healthy before it takes a prefix back.',
          )}
          {field(
            'autoApprovers',
            <textarea
              id="net-autoApprovers"
              rows={3}
              value={form.autoApprovers}
              aria-describedby={describedBy('autoApprovers', true)}
              aria-invalid={errors.autoApprovers ? 'true' : undefined}
              onInput={(e) => set('autoApprovers', e.currentTarget.value)}
            />,
            'One rule per line: 192.168.0.0/16: <member address>, <name>, tag:<tag>. Matching advertisements are approved at once.',
          )}
        </fieldset>
        <div class="actions">
          <button type="submit" class="button primary" disabled={!dirty || busy}>
            Review changes
          </button>
          <button
            type="button"
            class="button"
            disabled={!dirty || busy}
            onClick={() => {
              setForm(original);
              setReview(undefined);
              setErrors({});
            }}
          >
            Discard
          </button>
          {!dirty && <span class="muted">No unsaved changes.</span>}
        </div>
      </form>

      {review && (
        <div>
          <PlanPreviewView preview={review.preview} changes={review.changes} />
          <div class="actions">
            <button
              type="button"
              class="button primary"
              disabled={busy || review.preview.outcome === 'rejected'}
              onClick={apply}
            >
              Apply changes
            </button>
            <button type="button" class="button" onClick={() => setReview(undefined)}>
              Keep editing
            </button>
          </div>
        </div>
      )}

      <section class="card danger-zone" aria-labelledby="danger-title">
        <h2 id="danger-title">Delete this network</h2>
        <p class="muted">Its members lose their configuration. The event log keeps its history.</p>
        <ConfirmButton
          label="Delete network"
          question={`Delete ${props.network.data?.name || networkId} and all its members?`}
          onConfirm={async () => {
            const ok = await run(
              () => api.send('DELETE', `/controller/network/${networkId}`),
              'Network deleted',
            );
            if (ok !== undefined) navigate('#/networks');
          }}
        />
      </section>
    </div>
  );
}
