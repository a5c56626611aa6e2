import type { FastifyInstance } from 'fastify';
import { BadFormError, parseFormBody } from './form-body.js';
import { parseMultipartBody } from './multipart-body.js';

/** SECURITY 24: bodies over 64 KiB are refused with 413. */
export const maxBodyBytes = 64 * 1024;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Form bodies through Ingang's own strict parser (invalid UTF-8, NUL and repeated fields are
 * refused), and JSON with the same strictness: invalid UTF-8 is refused, not repaired. A surface
 * may take some of them away again (the app API takes JSON only).
 */
export function registerBodyParsers(app: FastifyInstance): void {
  app.removeContentTypeParser('application/x-www-form-urlencoded');
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer', bodyLimit: maxBodyBytes }, (_request, body, done) => {
    try {
      done(null, parseFormBody(body as Buffer));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  // The upload forms (/admin/branding): the same record of fields, the files beside it.
  app.addContentTypeParser('multipart/form-data', { parseAs: 'buffer', bodyLimit: maxBodyBytes }, (request, body, done) => {
    try {
      done(null, parseMultipartBody(body as Buffer, request.headers['content-type'] ?? ''));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: maxBodyBytes }, (_request, body, done) => {
    let text: string;
    try {
      text = strictUtf8.decode(body as Buffer);
    } catch {
      return done(new BadFormError('the body is not valid UTF-8'), undefined);
    }
    try {
      done(null, text.length === 0 ? undefined : JSON.parse(text));
    } catch {
      done(new BadFormError('the body is not valid JSON'), undefined);
    }
  });
}
