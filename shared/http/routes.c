/* THE route table: every endpoint, its auth mode and its handler (the API at a glance). */
#include "routes.h"

const struct route routes[] = {
    /* method  pattern                                   auth            handler */
    { "GET",    "/v1/keepalive",                         AUTH_NONE,      api_keepalive },
    { "GET",    "/v1/keepalive/provisioning",            AUTH_NONE,      api_keepalive },

    { "POST",   "/v1/verification/session",              AUTH_NONE,      api_verification_create },
    { "GET",    "/v1/verification/session/{id}",         AUTH_NONE,      api_verification_get },
    { "PATCH",  "/v1/verification/session/{id}",         AUTH_NONE,      api_verification_patch },
    { "POST",   "/v1/verification/session/{id}/code",    AUTH_NONE,      api_verification_request_code },
    { "PUT",    "/v1/verification/session/{id}/code",    AUTH_NONE,      api_verification_submit_code },
    { "POST",   "/v1/registration",                      AUTH_NONE,      api_registration_register },

    { "GET",    "/v1/accounts/whoami",                   AUTH_DEVICE,    api_accounts_whoami },
    { "GET",    "/v1/accounts/me",                       AUTH_DEVICE,    api_accounts_whoami },
    { "DELETE", "/v1/accounts/me",                       AUTH_DEVICE,    api_accounts_delete },
    { "HEAD",   "/v1/accounts/account/{identifier}",     AUTH_NONE,      api_accounts_exists },
    { "PUT",    "/v1/accounts/attributes",               AUTH_DEVICE,    api_accounts_attributes },
    { "PUT",    "/v1/accounts/apn",                      AUTH_DEVICE,    api_accounts_set_apn },
    { "DELETE", "/v1/accounts/apn",                      AUTH_DEVICE,    api_accounts_delete_apn },
    { "PUT",    "/v1/accounts/gcm",                      AUTH_DEVICE,    api_accounts_set_gcm },
    { "DELETE", "/v1/accounts/gcm",                      AUTH_DEVICE,    api_accounts_delete_gcm },
    { "PUT",    "/v1/accounts/name",                     AUTH_DEVICE,    api_accounts_set_name },
    { "PUT",    "/v1/accounts/registration_lock",        AUTH_DEVICE,    api_accounts_set_reglock },
    { "DELETE", "/v1/accounts/registration_lock",        AUTH_DEVICE,    api_accounts_delete_reglock },

    { "GET",    "/v2/keys",                              AUTH_DEVICE,    api_keys_count },
    { "PUT",    "/v2/keys",                              AUTH_DEVICE,    api_keys_put },
    { "PUT",    "/v2/keys/signed",                       AUTH_DEVICE,    api_keys_put_signed },
    { "POST",   "/v2/keys/check",                        AUTH_DEVICE,    api_keys_check },
    { "GET",    "/v2/keys/{identifier}/{device_id}",     AUTH_OPTIONAL,  api_keys_get },

    { "GET",    "/v1/certificate/delivery",              AUTH_DEVICE,    api_certificate_delivery },
    { "GET",    "/v1/certificate/auth/group",            AUTH_DEVICE,    api_certificate_auth_group },
    { "POST",   "/v1/call-link/create-auth",             AUTH_DEVICE,    api_calllink_create_auth },

    /* messages.c; anonymous sends are sealed sender (access key or group send token) or stories;
     * multi_recipient must precede {destination} (first match wins) */
    { "PUT",    "/v1/messages/multi_recipient",          AUTH_NONE,      api_messages_multi },
    { "PUT",    "/v1/messages/{destination}",            AUTH_OPTIONAL,  api_messages_send },
    { "GET",    "/v1/messages",                          AUTH_DEVICE,    api_messages_list },
    { "DELETE", "/v1/messages/uuid/{uuid}",              AUTH_DEVICE,    api_messages_delete },
    { "POST",   "/v1/messages/report/{source}/{guid}",   AUTH_DEVICE,    api_messages_report },

    /* devices.c, provisioning.c: linking (PUT link authenticates with the new device's password
     * itself), listing, removal, capabilities; the provisioning message to a new device */
    { "GET",    "/v1/devices",                           AUTH_DEVICE,    api_devices_list },
    { "DELETE", "/v1/devices/{device_id}",               AUTH_DEVICE,    api_devices_remove },
    { "GET",    "/v1/devices/provisioning/code",         AUTH_DEVICE,    api_devices_provisioning_code },
    { "PUT",    "/v1/devices/link",                      AUTH_NONE,      api_devices_link },
    { "GET",    "/v1/devices/wait_for_linked_device/{token_id}", AUTH_DEVICE, api_devices_wait_linked },
    { "PUT",    "/v1/devices/capabilities",              AUTH_DEVICE,    api_devices_set_capabilities },
    { "PUT",    "/v1/devices/unauthenticated_delivery",  AUTH_DEVICE,    api_devices_unauthenticated_delivery },
    { "PUT",    "/v1/provisioning/{destination}",        AUTH_DEVICE,    api_provisioning_send },
};

const size_t routes_count = sizeof(routes) / sizeof(routes[0]);
