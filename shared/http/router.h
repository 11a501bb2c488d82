/* The one router both transports call: match route -> auth -> handler -> error mapping -> log. */
#ifndef HG_ROUTER_H
#define HG_ROUTER_H

struct arena;
struct ctx;
struct req;
struct resp;

/**
 * Serve req into resp. Never fails: every error becomes a JSON error response. Adds
 * X-Signal-Timestamp. Memory comes from a (freed by the caller after the response is written).
 */
void router_dispatch(struct ctx *ctx, struct arena *a, const struct req *req, struct resp *resp);

#endif
