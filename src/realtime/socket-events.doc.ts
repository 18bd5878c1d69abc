/**
 * The socket.io interface, for the OpenAPI description (which has no vocabulary of its own for sockets).
 * Names and payloads follow API.md; additions are marked. The code's own statement of it, which the compiler
 * checks, is realtime.contract.ts: a change there is described here too.
 */
export const SOCKET_EVENTS_DOC = `
## Socket.io (path \`/socket.io\`, handshake \`auth: { token }\`)

Every client event takes an acknowledgement: the result, or \`{ "error": { "code", "message", "fields"? } }\`
with \`code\` in VALIDATION, UNAUTHORIZED, FORBIDDEN, NOT_FOUND, CONFLICT, RATE_LIMITED, INTERNAL. A connection
may send a burst of 20 events, then 10 per second, counting every event it sends (unknown ones too). An unknown
event gets NOT_FOUND (addition), or RATE_LIMITED past the limit. A staff socket's token is re-checked at every
event: once her account is revoked, disabled or removed, the event gets UNAUTHORIZED and the socket is cut (every
socket of hers, on every node, is cut at the moment of the change anyway). An anonymous caller's events are also
counted over all her connections (CALLER_EVENTS_PER_10_SECONDS per token); a handshake over MAX_SOCKETS_PER_ADDRESS
open sockets from one address is refused (\`connect_error\` with \`data: { error: { code: "RATE_LIMITED" } }\`), and
\`request:create\` past MAX_LIVE_REQUESTS_PER_ADDRESS live requests from one address gets RATE_LIMITED (additions).

| client event | who | payload | ack |
|---|---|---|---|
| request:create | caller, or an official with a woman beside her ("interpreter now": she is then the call's official; country defaults to hers) | {languageId, matter, urgency, minor, preferFemale? (only women are offered), notFromCountry? (addition to API.md's additions: nobody from a roster of the countries where her language is spoken), country?, targetLanguageId? (default: an official's institution's language, else the main language of country, or of the home roster; Spanish when neither), returnCode? (six digits: the interpreter who gave it rings first, then the ladder; once, within 24 hours; unknown, used or expired: VALIDATION naming returnCode; more than ten requests with a code from one address in an hour, whatever their answers, or while that count cannot be kept: RATE_LIMITED)} | {requestId, state} |
| request:choose | caller, or the official who asked | {requestId, anyInterpreter: true}: she asked for a woman, none is free (request:update noWomanFree), she takes whoever is free first; CONFLICT if the request did not ask for a woman, chose already or is not waiting | {state} |
| request:cancel | caller, or the official who asked | {requestId} | {state} |
| presence:set | interpreter | {status: available, on_call (addition: reachable by push only; needs a device subscribed to offers by push, else CONFLICT), away, offline} | {status} |
| offer:accept / offer:decline | interpreter | {offerId} | {sessionId}, or on one leg of a relay chain whose other leg has not accepted yet {waiting: other_leg, until} (addition: until, ISO 8601, is when the chain stops waiting; her acceptance holds her until then, through a reload or a dropped connection within her grace period, unless she sets herself away) / {} |
| offer:seen (addition) | interpreter | {offerId} | {}: her console showed the offer; one not shown within OFFER_SEEN_SECONDS of ringing is pushed to her devices (Web Push) |
| session:join | participant | {sessionId} | {routerRtpCapabilities, iceServers, participants: [{role, producers: [{producerId, kind}]}]} |
| media:createTransport | participant | {sessionId, direction: send, recv} | {id, iceParameters, iceCandidates, dtlsParameters} |
| media:connectTransport | participant | {transportId, dtlsParameters} | {} |
| media:produce | participant | {transportId, kind, rtpParameters} | {producerId} |
| media:consume | participant | {sessionId, producerId, rtpCapabilities} | {consumerId, producerId, kind, rtpParameters} (paused) |
| media:resumeConsumer | participant | {consumerId} | {} |
| media:restartIce | participant | {transportId} | {iceParameters} |
| media:video (addition) | participant | {sessionId, on: boolean} | {video}: video is produced only after \`on: true\` (before, a video produce is CONFLICT); \`on: false\` closes hers |
| session:another | caller, or the official who asked | {sessionId}: another interpreter, no reason asked; the call ends for its interpreters (session:ended another_interpreter), her request goes back to the front of the line and is never offered to them again | {requestId, state} |
| session:feedback | caller | {sessionId, answer: helped, unsure, not_helped}: her one answer about a call she was in that ended (completed) within 15 minutes; once (then NOT_FOUND); skippable (nothing is sent) | {} |
| session:wrapup | interpreter (any role in the call) | {sessionId, referredTo: [legal_aid, shelter, health, consulate, police, child_protection], signs: [controlled, quick_exit]}: ticks only, never text, within 24 hours of the call's end; the last ticks count; counted in the statistics (afterCall), suppressed like every count | {} |
| wrapup:extend (addition) | interpreter | {} (nothing else is accepted): her wrap-up time after a call is extended once, by as long again; CONFLICT when there is none or it was extended | {until} |
| session:leave | participant (caller, interpreter, relay_interpreter, team_interpreter, official) | {sessionId} | {}: on a hearing's call, the official leaving ends the hearing for everyone |

A call has up to five participants, one per role: \`caller\`, \`interpreter\` (the lead), \`relay_interpreter\`, \`team_interpreter\`, \`official\`; everyone hears everyone.
Caps (CONFLICT): one peer per role, one send and one recv transport, one audio and one video producer, one
consumer per producer. VALIDATION names the field, e.g. \`rtpParameters.codecs[0].parameters.usedtx\`.

| server event | to | payload |
|---|---|---|
| request:update | caller (or the official who asked) | {requestId, state, queuePosition?, interpreter?: {firstName}, interpreters?: [{firstName, role}], sessionId?, notice?: relay_unfilled, noWomanFree?: true, returnCode?}: state \`connected\` (with sessionId) once the call's media has started; relay_unfilled: no relay chain could be completed within RELAY_WAIT_SECONDS, one interpreter serves instead; noWomanFree: she asked for a woman, none is free and someone else is (she may keep waiting or send request:choose); returnCode: with \`accepted\`, on her own requests only, six digits that ring this interpreter first for 24 hours (a later interpreter's replaces it; session:another voids it) |
| offer:new | interpreter | {offerId, requestId, languageId, targetLanguageId, leg: direct (source, relay: a relay chain's legs), relayLanguageId? (a chain's: source = languageId → relayLanguageId, relay = relayLanguageId → targetLanguageId; addition), matter, urgency, minor, expiresAt, returning?: true (the woman comes back to her with her return code; nothing else of her)} |
| offer:withdrawn | interpreter | {offerId, reason: taken, expired, unavailable, disconnected, cancelled, unmatched, abandoned, completed, relay_unfilled}: also for a relay leg she accepted whose call will not open |
| offer:session (addition) | interpreter | {offerId, sessionId}: the other leg of the relay chain she accepted has accepted too (or, not filled in time, she has the call alone); her call is open. Sent again whenever her console connects while a call she accepted is open |
| presence:update (addition) | interpreter | {status, reason?: missed_offers, disconnected, suspended, unreachable (on call, her last device receiving offers by push is gone)} |
| session:newProducer | participants | {sessionId, producerId, role, kind} |
| session:participantLeft | the other participants (caller, interpreter, relay_interpreter, team_interpreter, official) | {sessionId, role}: the caller or the lead interpreter leaving ends an on-demand call; an official (unless she asked for it), a relay or a team interpreter leaving does not |
| session:ended | every participant: caller, interpreter, official | {sessionId, reason: completed, cancelled, abandoned, interpreter_lost, media_failed, hearing_over, another_interpreter, ...} (interpreter_lost, media_failed, another_interpreter: the caller's request is back at the front of the line; its request:update may arrive just before or after) |
| wrapup:update (addition) | interpreter | {until: ISO 8601 or null, canExtend}: her wrap-up time after a call (WRAPUP_SECONDS for its matter; nothing is offered to her until it is over), extended, or over; sent on every connection of her console |
| session:mediaRestart (addition) | participants | {sessionId, reason: worker_died, node_died}: join again and renegotiate; the session goes on |
| session:producerClosed (addition) | participants | {sessionId, producerId, role, kind}: e.g. a participant turned her video off |
| booking:update | every official of the booking's institution, the interpreter concerned | {bookingId, state, notice?: asked, widened, unconfirmed, no_interpreter, declined, reminder, reminderSeconds?} |
`;
