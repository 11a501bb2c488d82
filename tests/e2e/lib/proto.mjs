// Minimal protobuf reader for the server-produced messages the tests inspect (Envelope,
// SenderCertificate). Only what the tests need; unknown fields are kept by number.

function readVarint(buf, pos) {
    let result = 0n;
    let shift = 0n;
    for (;;) {
        if (pos >= buf.length) throw new Error('protobuf: truncated varint');
        const b = buf[pos++];
        result |= BigInt(b & 0x7f) << shift;
        if (!(b & 0x80)) return [result, pos];
        shift += 7n;
        if (shift > 63n) throw new Error('protobuf: varint too long');
    }
}

/** Decodes one message level into [[field, value]] (varint → BigInt, len → Buffer). */
export function decodeFields(bytes) {
    const buf = Buffer.from(bytes);
    const out = [];
    let pos = 0;
    while (pos < buf.length) {
        let key;
        [key, pos] = readVarint(buf, pos);
        const field = Number(key >> 3n);
        const wt = Number(key & 7n);
        if (wt === 0) {
            let v;
            [v, pos] = readVarint(buf, pos);
            out.push([field, v]);
        } else if (wt === 2) {
            let len;
            [len, pos] = readVarint(buf, pos);
            const end = pos + Number(len);
            if (end > buf.length) throw new Error('protobuf: truncated bytes');
            out.push([field, buf.subarray(pos, end)]);
            pos = end;
        } else if (wt === 1) {
            out.push([field, buf.readBigUInt64LE(pos)]);
            pos += 8;
        } else if (wt === 5) {
            out.push([field, BigInt(buf.readUInt32LE(pos))]);
            pos += 4;
        } else {
            throw new Error(`protobuf: wire type ${wt}`);
        }
    }
    return out;
}

function uuidFromBytes(b) {
    const h = Buffer.from(b).toString('hex');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Service id binary (16 bytes ACI, or 0x01 ‖ 16 bytes PNI) → string form. */
export function serviceIdFromBinary(b) {
    if (b.length === 16) return uuidFromBytes(b);
    if (b.length === 17 && b[0] === 1) return `PNI:${uuidFromBytes(b.subarray(1))}`;
    throw new Error(`bad service id binary of ${b.length} bytes`);
}

/** textsecure.Envelope → plain object (strings preferred from the binary fields). */
export function decodeEnvelope(bytes) {
    const e = { urgent: true };
    for (const [f, v] of decodeFields(bytes)) {
        switch (f) {
        case 1: e.type = Number(v); break;
        case 5: e.clientTimestamp = Number(v); break;
        case 7: e.sourceDevice = Number(v); break;
        case 8: e.content = Buffer.from(v); break;
        case 9: e.serverGuidString = v.toString(); break;
        case 10: e.serverTimestamp = Number(v); break;
        case 11: e.sourceServiceIdString = v.toString(); break;
        case 12: e.ephemeral = v !== 0n; break;
        case 13: e.destinationServiceIdString = v.toString(); break;
        case 14: e.urgent = v !== 0n; break;
        case 16: e.story = v !== 0n; break;
        case 19: e.sourceServiceId = serviceIdFromBinary(v); break;
        case 20: e.destinationServiceId = serviceIdFromBinary(v); break;
        case 21: e.serverGuid = uuidFromBytes(v); break;
        default: break;
        }
    }
    e.sourceServiceId ??= e.sourceServiceIdString;
    e.destinationServiceId ??= e.destinationServiceIdString;
    e.serverGuid ??= e.serverGuidString;
    return e;
}
