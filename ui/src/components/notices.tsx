// Messages after an action: successes politely, failures assertively, each dismissible and gone
// after a while (failures stay longer: they usually need reading).
import type { NoticeTone } from '../app-context.ts';

export interface Notice {
  id: number;
  message: string;
  tone: NoticeTone;
}

export function Notices(props: { notices: readonly Notice[]; dismiss: (id: number) => void }) {
  const polite = props.notices.filter((n) => n.tone !== 'error');
  const urgent = props.notices.filter((n) => n.tone === 'error');
  const list = (notices: readonly Notice[]) =>
    notices.map((notice) => (
      <div key={notice.id} class={`notice notice-${notice.tone}`}>
        <span>{notice.message}</span>
        <button
          type="button"
          class="link-button"
          aria-label="Dismiss message"
          onClick={() => props.dismiss(notice.id)}
        >
          ×
        </button>
      </div>
    ));
  return (
    <div class="notices">
      <div role="status" aria-live="polite">
        {list(polite)}
      </div>
      <div role="alert" aria-live="assertive">
        {list(urgent)}
      </div>
    </div>
  );
}
