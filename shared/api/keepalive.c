/* GET /v1/keepalive and /v1/keepalive/provisioning: 200, empty body (clients ping every ~30 s). */
#include "api.h"

#include "http/resp.h"

enum err
api_keepalive(struct call *c)
{
    return resp_empty(c->resp, 200);
}
