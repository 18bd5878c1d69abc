import compression from 'compression';
import type { RequestHandler } from 'express';

/**
 * Compresses what the browser downloads (issue 10: a phone on a 400 kbit/s line): brotli when the browser offers
 * it, else gzip; only types worth it (the `compressible` list: JavaScript, CSS, JSON, SVG, HTML, the manifest),
 * never audio (Ogg/Opus is compressed already) and nothing under 1 KB. Answers to GET and HEAD only: the
 * POST answers that matter carry tokens, and a compressed secret beside attacker-chosen input is what
 * BREACH-style attacks measure.
 */
export function compressResponses(): RequestHandler {
  return compression({ filter: (req, res) => (req.method === 'GET' || req.method === 'HEAD') && compression.filter(req, res) });
}
