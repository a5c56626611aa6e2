import { html, type SafeHtml } from '../core/html.js';
import type { FormErrors } from './layout.js';

export interface FieldOptions {
  name: string;
  /** Defaults to the name; needed where two forms on one page share a field name. */
  id?: string;
  label: string;
  type?: 'text' | 'email' | 'password' | 'tel' | 'search' | 'date';
  value?: string;
  errors?: FormErrors;
  autocomplete?: string;
  hint?: string;
  required?: boolean;
  inputMode?: 'numeric' | 'text';
  /** Ties the field to a live password-strength hint, which asks `checkUrl` for the server's judgement (with `email` as context). */
  strengthHint?: { labels: readonly string[]; caption: string; checkUrl: string; email: string };
}

/** A labelled input whose error and hint are tied to it with aria-describedby (WCAG 1.3.1, 3.3.1). */
export function inputField(options: FieldOptions): SafeHtml {
  const name = options.id ?? options.name;
  const error = options.errors?.[name];
  const describedBy = [options.hint ? `${name}-hint` : null, error ? `${name}-error` : null, options.strengthHint ? `${name}-strength` : null]
    .filter(Boolean)
    .join(' ');
  const type = options.type ?? 'text';
  return html`<div class="field${error ? ' field-error' : ''}">
  <label for="${name}">${options.label}</label>
  ${options.hint ? html`<p class="hint" id="${name}-hint">${options.hint}</p>` : null}
  ${error ? html`<p class="error" id="${name}-error">${error}</p>` : null}
  <input id="${name}" name="${options.name}" type="${type}"${type === 'password' ? null : html` value="${options.value ?? ''}"`}${options.autocomplete ? html` autocomplete="${options.autocomplete}"` : null}${options.required ? html` required` : null}${options.inputMode ? html` inputmode="${options.inputMode}"` : null}${error ? html` aria-invalid="true"` : null}${describedBy ? html` aria-describedby="${describedBy}"` : null}${options.strengthHint ? html` data-strength-hint="${name}-strength"` : null}${type === 'email' ? html` spellcheck="false" autocapitalize="off"` : null}>
  ${options.strengthHint ? strengthHintElement(name, options.strengthHint) : null}
</div>`;
}

function strengthHintElement(name: string, hint: NonNullable<FieldOptions['strengthHint']>): SafeHtml {
  const labels = hint.labels.map((label, i) => html` data-label-${String(i)}="${label}"`);
  return html`<p class="strength" id="${name}-strength" aria-live="polite" data-caption="${hint.caption}" data-check="${hint.checkUrl}" data-email="${hint.email}"${labels}></p>`;
}

export interface SelectOptions {
  name: string;
  label: string;
  options: readonly { value: string; label: string }[];
  value?: string;
  errors?: FormErrors;
}

export function selectField(options: SelectOptions): SafeHtml {
  const error = options.errors?.[options.name];
  return html`<div class="field${error ? ' field-error' : ''}">
  <label for="${options.name}">${options.label}</label>
  ${error ? html`<p class="error" id="${options.name}-error">${error}</p>` : null}
  <select id="${options.name}" name="${options.name}"${error ? html` aria-invalid="true" aria-describedby="${options.name}-error"` : null}>
    ${options.options.map((o) => html`<option value="${o.value}"${o.value === options.value ? html` selected` : null}>${o.label}</option>`)}
  </select>
</div>`;
}

export function textareaField(options: { name: string; id?: string; label: string; value?: string; errors?: FormErrors; required?: boolean; hint?: string }): SafeHtml {
  const id = options.id ?? options.name;
  const error = options.errors?.[id];
  const describedBy = [options.hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(' ');
  return html`<div class="field${error ? ' field-error' : ''}">
  <label for="${id}">${options.label}</label>
  ${options.hint ? html`<p class="hint" id="${id}-hint">${options.hint}</p>` : null}
  ${error ? html`<p class="error" id="${id}-error">${error}</p>` : null}
  <textarea id="${id}" name="${options.name}" rows="3"${options.required ? html` required` : null}${error ? html` aria-invalid="true"` : null}${describedBy ? html` aria-describedby="${describedBy}"` : null}>${options.value ?? ''}</textarea>
</div>`;
}
