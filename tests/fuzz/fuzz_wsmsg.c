/* libFuzzer target: the relay's frame path on the loop thread, as a client controls it: decode a
 * WebSocketMessage, build the struct req with a fixed upgrade header blob, and for a RESPONSE
 * re-encode something (encode must accept whatever decode produced). Also the upgrade head
 * parser the gate runs on the same bytes. */
/* fuzz-sources: relay/frame.c relay/head.c */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "http/req.h"
#include "http/resp.h"
#include "relay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char up[] = "user-agent\0Signal-Android/7.0\0x-forwarded-for\0" "192.0.2.1";
    struct sock_auth sock = { .present = 1, .device_id = 2 };
    struct arena *a = arena_new(4096);
    struct wsmsg m;
    struct head h;
    struct req r;

    if (wsmsg_decode(a, data, size, &m) == 0) {
        if (m.type == WSMSG_REQUEST) {
            if (relay_req_from_msg(a, &m, up, sizeof(up), &sock, "192.0.2.1", &r) == E_OK) {
                if (r.nheaders > 64 || r.path[0] != '/' || r.transport != TR_WS)
                    abort();
                (void)req_header(&r, "user-agent");
            }
        } else {
            struct resp resp;
            struct outmsg *o;

            resp_init(&resp, a);
            if (resp_bytes(&resp, (int)(m.status % 600), "application/octet-stream", m.body,
                           m.body_len) == E_OK) {
                o = wsmsg_encode_response(m.id, &resp);
                free(o);
            }
        }
    }
    if (size < HEAD_MAX && head_complete((const char *)data, size) > 0 &&
        head_parse(a, (const char *)data, size, &h) == 0) {
        size_t len;

        free(head_upgrade_blob(&h, &len));
        (void)head_basic_auth(a, &h);
        (void)head_kind(&h);
    }
    arena_free(a);
    return 0;
}
