#!/usr/bin/env python3
"""Writes vectors.json: sealed rows and a wrapped data key for package
sqlstore, computed with the Python cryptography package (HKDF, HMAC,
ChaCha20-Poly1305, Argon2id) and an HChaCha20 written here, independently
of the Go code. XChaCha20-Poly1305 is ChaCha20-Poly1305 under the HChaCha20
subkey of the first 16 nonce bytes, with 4 zero bytes and the last 8 nonce
bytes as nonce."""
import hashlib, hmac, json, struct
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

M = 0xffffffff

def rotl(x, n):
    return ((x << n) & M) | (x >> (32 - n))

def qr(s, a, b, c, d):
    s[a] = (s[a] + s[b]) & M; s[d] = rotl(s[d] ^ s[a], 16)
    s[c] = (s[c] + s[d]) & M; s[b] = rotl(s[b] ^ s[c], 12)
    s[a] = (s[a] + s[b]) & M; s[d] = rotl(s[d] ^ s[a], 8)
    s[c] = (s[c] + s[d]) & M; s[b] = rotl(s[b] ^ s[c], 7)

def hchacha20(key, nonce16):
    s = [0x61707865, 0x3320646e, 0x79622d32, 0x6b206574]
    s += list(struct.unpack('<8I', key)) + list(struct.unpack('<4I', nonce16))
    for _ in range(10):
        qr(s, 0, 4, 8, 12); qr(s, 1, 5, 9, 13); qr(s, 2, 6, 10, 14); qr(s, 3, 7, 11, 15)
        qr(s, 0, 5, 10, 15); qr(s, 1, 6, 11, 12); qr(s, 2, 7, 8, 13); qr(s, 3, 4, 9, 14)
    return struct.pack('<8I', *(s[0:4] + s[12:16]))

def xseal(key, nonce24, pt, ad):
    sub = hchacha20(key, nonce24[:16])
    return nonce24 + ChaCha20Poly1305(sub).encrypt(b'\0' * 4 + nonce24[16:], pt, ad)

def hkdf(ikm, info):
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(ikm)

def lp(b):
    return struct.pack('>I', len(b)) + b

data_key = bytes(range(32))
seal_key = hkdf(data_key, b'parley keystore v1 seal key')
index_key = hkdf(data_key, b'parley keystore v1 index key')

rows = []
for table, key, pt in [
    ('sessions', lp(b'alice') + struct.pack('>I', 1), b'session record'),
    ('prekeys', struct.pack('>I', 7), bytes(range(64, 96))),
    ('kyber_uses', struct.pack('>II', 1, 2) + bytes(32), b''),
]:
    ad = lp(b'parley keystore v1 row') + lp(table.encode()) + lp(key)
    nonce = hashlib.sha256(ad).digest()[:24]
    rows.append({
        'table': table, 'key': key.hex(), 'nonce': nonce.hex(), 'plaintext': pt.hex(),
        'row_key': hmac.new(index_key, ad, hashlib.sha256).hexdigest(),
        'sealed': xseal(seal_key, nonce, pt, ad).hex(),
    })

salt = bytes(range(100, 116))
passphrase = b'correct horse'
t, m, p = 1, 8192, 1
kek = Argon2id(salt=salt, length=32, iterations=t, lanes=p, memory_cost=m).derive(passphrase)
wrap_ad = b'parley keystore v1 data key\0argon2id\0' + struct.pack('>II', t, m) + bytes([p]) + salt
wrap_nonce = bytes(range(200, 224))
wrap = {
    'passphrase': passphrase.hex(), 'salt': salt.hex(), 'time': t, 'memory_kib': m, 'threads': p,
    'data_key': data_key.hex(), 'nonce': wrap_nonce.hex(),
    'wrapped': xseal(kek, wrap_nonce, data_key, wrap_ad).hex(),
}

with open('vectors.json', 'w') as f:
    json.dump({'data_key': data_key.hex(), 'rows': rows, 'wrap': wrap}, f, indent=1)
    f.write('\n')
