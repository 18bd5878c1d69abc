import { json, urlencoded, type RequestHandler } from 'express';

/** Every JSON or form body, on every route, before anything else runs. */
export const BODY_LIMIT = '64kb';

// The one route that takes a larger body reads it itself, after authentication (RostersController.import).
const ROSTER_IMPORT = /^\/api\/v1\/rosters\/[^/]+\/import\/?$/i;

const except =
  (parser: RequestHandler): RequestHandler =>
  (req, res, next) =>
    req.method === 'POST' && ROSTER_IMPORT.test(req.path) ? next() : parser(req, res, next);

/** 64 KB of JSON or urlencoded fields everywhere (413 above, before authentication): nobody can make a node buffer more. */
export const smallBodies = (): RequestHandler[] => [
  except(json({ limit: BODY_LIMIT })),
  except(urlencoded({ limit: BODY_LIMIT, extended: false })),
];
