import { html, type HtmlValue, type SafeHtml } from '../core/html.js';

export interface TableColumn {
  label: string;
  /** Said to screen readers only (an action column whose buttons name themselves). */
  hiddenLabel?: boolean;
}

/**
 * A data table that stays readable at 320 px: on a wide screen a plain table; on a narrow one
 * (static/app.css, `table.stacked`) each row becomes a card with each cell under its column's
 * name, so nothing scrolls sideways and no word has to break.
 */
export function stackedTable(options: { caption: string; columns: TableColumn[]; rows: HtmlValue[][] }): SafeHtml {
  const { columns } = options;
  return html`<table class="stacked">
<caption>${options.caption}</caption>
<thead><tr>${columns.map((c) => html`<th scope="col">${c.hiddenLabel ? html`<span class="visually-hidden">${c.label}</span>` : c.label}</th>`)}</tr></thead>
<tbody>${options.rows.map((cells) => html`<tr>${cells.map((cell, i) => html`<td${columns[i]?.hiddenLabel ? null : html` data-label="${columns[i]?.label ?? ''}"`}>${cell}</td>`)}</tr>`)}</tbody>
</table>`;
}
