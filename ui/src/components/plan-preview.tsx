// What a change would push to whom, before it is saved: the fields, the routes every member gains
// or loses, and member by member where lists differ (the API's plan preview).
import type { PlanPreview, PlannedRouteJson } from '../lib/api-types.ts';
import { formatCount, formatRoute, plural } from '../lib/format.ts';
import type { FieldChange } from '../lib/network-form.ts';

const MEMBERS_SHOWN = 25;

function RouteList(props: { routes: readonly PlannedRouteJson[]; sign: '+' | '−' }) {
  return (
    <>
      {props.routes.map((r) => (
        <li key={`${props.sign}${r.target} ${r.via}`} class={props.sign === '+' ? 'added' : 'removed'}>
          <span aria-hidden="true">{props.sign} </span>
          <span class="visually-hidden">{props.sign === '+' ? 'added: ' : 'removed: '}</span>
          <code>{formatRoute(r)}</code> <span class={`badge source-${r.source}`}>{r.source}</span>
        </li>
      ))}
    </>
  );
}

export function PlanPreviewView(props: { preview: PlanPreview; changes: readonly FieldChange[] }) {
  const { preview, changes } = props;
  const routesMove = preview.network.added.length + preview.network.removed.length > 0;
  return (
    <section class="card preview" aria-labelledby="preview-title" data-testid="plan-preview">
      <h2 id="preview-title" tabIndex={-1}>
        Review: what this change pushes
      </h2>
      <h3>Settings</h3>
      <ul class="plain changes">
        {changes.map((c) => (
          <li key={c.field}>
            <strong>{c.label}</strong>: <span class="before">{c.before}</span> →{' '}
            <span class="after">{c.after}</span>
          </li>
        ))}
      </ul>
      {preview.outcome === 'rejected' ? (
        <div class="error-box" role="alert">
          <strong>The controller would refuse this change.</strong> {preview.error?.message}
        </div>
      ) : (
        <>
          <h3>Routes every member gets</h3>
          {routesMove ? (
            <ul class="plain diff">
              <RouteList routes={preview.network.added} sign="+" />
              <RouteList routes={preview.network.removed} sign="−" />
            </ul>
          ) : (
            <p class="muted">No change to the shared routes.</p>
          )}
          <h3>Members</h3>
          <p>
            {preview.membersChanged === 0
              ? 'No member’s routes change.'
              : `${plural(preview.membersChanged, 'member')} would be sent new routes; ${formatCount(preview.membersUnchanged)} unchanged.`}
          </p>
          {preview.members.length > 0 && (
            <div class="table-wrap">
              <table class="data compact">
                <caption class="visually-hidden">Route changes per member</caption>
                <thead>
                  <tr>
                    <th scope="col">Member</th>
                    <th scope="col">Gains</th>
                    <th scope="col">Loses</th>
                  </tr>
                </thead>
                <tbody>
                  {preview.members.slice(0, MEMBERS_SHOWN).map((m) => (
                    <tr key={m.address}>
                      <td>
                        <code>{m.address}</code>
                      </td>
                      <td>{m.added.map(formatRoute).join(', ') || '—'}</td>
                      <td>{m.removed.map(formatRoute).join(', ') || '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {preview.membersChanged > MEMBERS_SHOWN && (
                <p class="muted">and {plural(preview.membersChanged - MEMBERS_SHOWN, 'more member')}</p>
              )}
            </div>
          )}
          {preview.aggregated && (
            <p class="warning-box">
              Over the limit: {preview.aggregated.before} routes would be aggregated into{' '}
              {preview.aggregated.after}.
            </p>
          )}
          {preview.problems.length > 0 && (
            <ul class="problems">
              {preview.problems.map((p) => (
                <li key={p.code + p.message}>{p.message}</li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}
