import { escapeHtml } from '../core/html.js';

/** A minimal bilingual page for answers given before an organization or language is known. */
export function plainPage(title: string, text: string): string {
  return `<!doctype html><html lang="nl"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title></head><body><main id="main"><h1>${escapeHtml(title)}</h1>${text ? `<p>${escapeHtml(text)}</p>` : ''}</main></body></html>`;
}

export const unknownHostPage = () => plainPage('Niet gevonden · Not found', 'Dit adres hoort bij geen enkel platform. · This address belongs to no platform.');

/** The page of an error that escaped a handler (bilingual: the error may have come before the language was known). */
export function errorPage(status: number, badFormMessage: string | null): string {
  const { title, text } = errorMessage(status, badFormMessage);
  return plainPage(title, text);
}

function errorMessage(status: number, badFormMessage: string | null): { title: string; text: string } {
  switch (status) {
    case 400:
      return { title: 'Ongeldig verzoek · Bad request', text: badFormMessage ?? 'The request could not be read.' };
    case 413:
      return { title: 'Te groot · Too large', text: 'Het verzoek is groter dan 64 KiB. · The request is larger than 64 KiB.' };
    case 415:
      return { title: 'Niet ondersteund · Unsupported', text: 'Dit soort inhoud wordt niet geaccepteerd. · This content type is not accepted.' };
    case 503:
      return { title: 'Tijdelijk niet beschikbaar · Temporarily unavailable', text: 'Probeer het over een minuut opnieuw. Er is niets gewijzigd. · Please try again in a minute. Nothing was changed.' };
    default:
      return status < 500
        ? { title: `Fout ${status} · Error ${status}`, text: '' }
        : { title: 'Er ging iets mis · Something went wrong', text: 'Probeer het later opnieuw. · Please try again later.' };
  }
}
