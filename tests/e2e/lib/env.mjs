// Connection parameters of the stack under test, read from the env file the stack writes.
//
// The file's path comes from $HELIOGRAPH_ENV (always honoured); without it the default is
// ../../var-test/heliograph.env relative to tests/e2e. Lines are shell-style KEY=VALUE
// (optionally `export`, optionally quoted); other lines are ignored. Values already present in
// process.env with the same name override the file, so one port can be redirected by hand.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const E2E_DIR = path.resolve(HERE, '..');

function parseEnvText(text) {
    const out = {};
    for (const raw of text.split(/\r?\n/)) {
        const line = raw.trim();
        if (!line || line.startsWith('#')) continue;
        const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
        if (!m) continue;
        let v = m[2].trim();
        if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) {
            v = v.slice(1, -1);
        }
        out[m[1]] = v;
    }
    return out;
}

/** PEM text (one or more certificates) → DER bytes of the first certificate. */
export function pemToDer(pem) {
    const m = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(pem);
    if (!m) throw new Error('no PEM certificate found');
    return new Uint8Array(Buffer.from(m[1].replace(/\s+/g, ''), 'base64'));
}

let cached = null;

/**
 * Returns {envPath, httpsPort, httpPort, caPem, caDer, verificationCode, trustRoot?,
 * zkPublicParams?, raw}. Throws with a clear message when the stack is not described.
 */
export function loadEnv() {
    if (cached) return cached;
    const envPath = process.env.HELIOGRAPH_ENV
        ? path.resolve(process.env.HELIOGRAPH_ENV)
        : path.resolve(E2E_DIR, '../../var-test/heliograph.env');
    if (!fs.existsSync(envPath)) {
        throw new Error(`e2e: env file ${envPath} not found; start the stack ` +
            '(tests/stack/start.sh) and/or set HELIOGRAPH_ENV');
    }
    const raw = parseEnvText(fs.readFileSync(envPath, 'utf8'));
    const get = (k) => process.env[k] ?? raw[k];
    const need = (k) => {
        const v = get(k);
        if (v === undefined || v === '') throw new Error(`e2e: ${k} missing in ${envPath}`);
        return v;
    };
    const caRef = need('HELIOGRAPH_CA_CERT');
    let caPem;
    if (caRef.includes('-----BEGIN')) {
        caPem = caRef.replace(/\\n/g, '\n');
    } else {
        const p = path.isAbsolute(caRef) ? caRef : path.resolve(path.dirname(envPath), caRef);
        caPem = fs.readFileSync(p, 'utf8');
    }
    cached = {
        envPath,
        httpsPort: Number(need('HELIOGRAPH_HTTPS_PORT')),
        httpPort: get('HELIOGRAPH_HTTP_PORT') ? Number(get('HELIOGRAPH_HTTP_PORT')) : undefined,
        caPem,
        caDer: pemToDer(caPem),
        verificationCode: need('HELIOGRAPH_VERIFICATION_CODE'),
        trustRoot: get('HELIOGRAPH_TRUST_ROOT'),
        zkPublicParams: get('HELIOGRAPH_ZK_PUBLIC_PARAMS'),
        raw,
    };
    return cached;
}
