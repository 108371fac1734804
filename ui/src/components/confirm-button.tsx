// A destructive action asks once more in place (no modal dialog to trap focus in): the button turns
// into "Confirm" and "Cancel", and focus moves to Cancel so Enter does not confirm by accident.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

export function ConfirmButton(props: {
  label: string;
  confirmLabel?: string;
  question: ComponentChildren;
  onConfirm: () => void | Promise<void>;
  disabled?: boolean;
  /** Accessible name when the visible label is short ("Remove" → "Remove 10.1.0.0/24"). */
  ariaLabel?: string;
  /** The compact size used in table rows. */
  small?: boolean;
}) {
  const size = props.small ? ' small' : '';
  const [asking, setAsking] = useState(false);
  const cancel = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (asking) cancel.current?.focus();
  }, [asking]);
  if (!asking) {
    return (
      <button
        type="button"
        class={`button danger-outline${size}`}
        disabled={props.disabled}
        aria-label={props.ariaLabel}
        onClick={() => setAsking(true)}
      >
        {props.label}
      </button>
    );
  }
  return (
    <span class="confirm" role="group" aria-label={props.ariaLabel ?? props.label}>
      <span class="confirm-question">{props.question}</span>
      <button
        type="button"
        class={`button danger${size}`}
        onClick={async () => {
          await props.onConfirm();
          setAsking(false);
        }}
      >
        {props.confirmLabel ?? props.label}
      </button>
      <button type="button" class={`button${size}`} ref={cancel} onClick={() => setAsking(false)}>
        Cancel
      </button>
    </span>
  );
}
