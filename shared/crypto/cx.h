/*
 * The crypto API handlers see (style.md: cx_* prefix; libsodium, nettle and GMP stay inside
 * shared/crypto/).  Each part has its own header, documented there:
 *   ec.h      Curve25519 key encodings (0x05 || u), clamping, key generation
 *   xeddsa.h  libsignal XEdDSA signatures: verify (prekeys, backup signatures) and sign
 *   kem.h     Kyber prekey encodings and the signed-prekey rule
 *   cert.h    sealed-sender ServerCertificate / SenderCertificate creation and validation
 *   mrm.h     Sealed Sender v2 multi-recipient parsing, per-device payloads, UAK XOR
 *   hpke.h    HPKE sealing of device creation timestamps
 *   digest.h  SHA-256 / HMAC helpers: /v2/keys/check digest, identity fingerprints, UAK verifier
 * zkgroup lives in zkparams.h / zkgroup.h / zkcred.h; credential hashing in token.h.
 */
#ifndef HG_CRYPTO_CX_H
#define HG_CRYPTO_CX_H

#include "crypto/cert.h"
#include "crypto/digest.h"
#include "crypto/ec.h"
#include "crypto/hpke.h"
#include "crypto/kem.h"
#include "crypto/mrm.h"
#include "crypto/xeddsa.h"

#endif
