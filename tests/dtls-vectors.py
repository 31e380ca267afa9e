#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# Test vectors for kmod/dtls_kunit.c, from an implementation that is not
# the kernel's: python3-cryptography (OpenSSL underneath).
#
#   tests/dtls-vectors.py          check the published vectors, print the
#                                  DTLS records as C arrays
#
# 1. The published vectors the suite runs through kcoap_dtls_dir_init() are
#    checked here too, so a typo in either copy shows: NIST SP 800-38C
#    Appendix C Example 3 (AES-CCM, 12-byte nonce, 8-byte tag) and
#    McGrew/Viega "The Galois/Counter Mode of Operation" Test Case 4
#    (AES-128-GCM, 96-bit IV, 20 bytes of additional data).
# 2. DTLS 1.2 records (RFC 6347 section 4.1) protected as RFC 6655 (CCM)
#    and RFC 5288 (GCM) say: nonce = 4-byte salt || 8-byte nonce_explicit,
#    additional data = epoch || seq (8) || type || version || length
#    (RFC 5246 section 6.2.3.3), one record per suite the kernel accepts.
# 3. DTLS 1.2 records with a connection ID (RFC 9146): outer type
#    tls12_cid (25) and the CID in the header (section 4), the plaintext a
#    DTLSInnerPlaintext (content, real type, zeros), the additional data
#    that of section 5.3: 8 x 0xff, 25, cid_length, 25, version, epoch,
#    seq, cid, length of the DTLSInnerPlaintext.
import sys

from cryptography.hazmat.primitives.ciphers.aead import AESCCM, AESGCM


def h(s):
    return bytes.fromhex(s.replace(" ", ""))


def check_published():
    # SP 800-38C C.3
    k = h("404142434445464748494a4b4c4d4e4f")
    n = h("101112131415161718191a1b")
    a = h("000102030405060708090a0b0c0d0e0f10111213")
    p = h("202122232425262728292a2b2c2d2e2f3031323334353637")
    c = h("e3b201a9f5b71a7a9b1ceaeccd97e70b6176aad9a4428aa5 484392fbc1b09951")
    assert AESCCM(k, tag_length=8).encrypt(n, p, a) == c, "SP 800-38C C.3"
    # GCM spec, Test Case 4
    k = h("feffe9928665731c6d6a8f9467308308")
    iv = h("cafebabefacedbaddecaf888")
    a = h("feedfacedeadbeeffeedfacedeadbeefabaddad2")
    p = h("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
          "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39")
    c = h("42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
          "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091")
    t = h("5bc94fbc3221a5db94fae95ae7121a47")
    assert AESGCM(k).encrypt(iv, p, a) == c + t, "GCM Test Case 4"


def record(suite, key, salt, epoch, seq, ctype, plain, explicit=None):
    if explicit is None:
        explicit = epoch.to_bytes(2, "big") + seq.to_bytes(6, "big")
    seq_num = epoch.to_bytes(2, "big") + seq.to_bytes(6, "big")
    version = b"\xfe\xfd"
    aad = seq_num + bytes([ctype]) + version + len(plain).to_bytes(2, "big")
    nonce = salt + explicit
    if suite == "ccm8":
        ct = AESCCM(key, tag_length=8).encrypt(nonce, plain, aad)
    elif suite == "ccm":
        ct = AESCCM(key, tag_length=16).encrypt(nonce, plain, aad)
    else:
        ct = AESGCM(key).encrypt(nonce, plain, aad)
    body = explicit + ct
    return bytes([ctype]) + version + seq_num + len(body).to_bytes(2, "big") + body


def record_cid(suite, key, salt, epoch, seq, ctype, plain, cid, zeros=0,
               inner=None):
    explicit = epoch.to_bytes(2, "big") + seq.to_bytes(6, "big")
    version = b"\xfe\xfd"
    if inner is None:
        inner = plain + bytes([ctype]) + bytes(zeros)
    hdr = bytes([25]) + version + explicit + cid
    aad = (b"\xff" * 8 + bytes([25, len(cid)]) + hdr +
           len(inner).to_bytes(2, "big"))
    nonce = salt + explicit
    if suite == "ccm8":
        ct = AESCCM(key, tag_length=8).encrypt(nonce, inner, aad)
    elif suite == "ccm":
        ct = AESCCM(key, tag_length=16).encrypt(nonce, inner, aad)
    else:
        ct = AESGCM(key).encrypt(nonce, inner, aad)
    body = explicit + ct
    return hdr + len(body).to_bytes(2, "big") + body


def c_array(name, b):
    out = "static const u8 %s[] = {\n" % name
    for i in range(0, len(b), 12):
        out += "\t" + " ".join("0x%02x," % x for x in b[i:i + 12]) + "\n"
    return out + "};\n"


# A CoAP GET of /temp (RFC 7252 section 3), what a session carries.
GET = h("4401 1234 abcd") + bytes([0xb4]) + b"temp"

RECORDS = [
    # name, suite, key, salt, epoch, seq, type, plaintext, explicit nonce
    ("kt_rec_ccm8", "ccm8", h("000102030405060708090a0b0c0d0e0f"),
     h("a0a1a2a3"), 1, 5, 23, GET, None),
    ("kt_rec_ccm", "ccm", h("f0e1d2c3b4a5968778695a4b3c2d1e0f"),
     h("01020304"), 1, 0x123456789a, 23, GET + b" with a longer tail", None),
    # The explicit nonce need not be the sequence number: the receiver uses
    # what the record carries (RFC 5288 section 3).
    ("kt_rec_gcm128", "gcm", h("11111111222222223333333344444444"),
     h("deadbeef"), 2, 7, 23, GET, h("0102030405060708")),
    ("kt_rec_gcm256", "gcm", h("00112233445566778899aabbccddeeff"
                               "ffeeddccbbaa99887766554433221100"),
     h("cafef00d"), 1, 1, 21, h("0100"), None),	# a close_notify alert
]


# Our CID (kcoapd picks KCOAP_DTLS_CID_LEN = 8 bytes) and a client's.
CID = h("c1d0c1d0 00000007")
PEER_CID = h("0a0b0c0d")

CID_RECORDS = [
    # name, suite, key, salt, epoch, seq, real type, plaintext, cid, zeros
    # The client's GET to us, with 3 bytes of padding (RFC 9146 section 4).
    ("kt_cid_ccm8_get", "ccm8", h("000102030405060708090a0b0c0d0e0f"),
     h("a0a1a2a3"), 1, 9, 23, GET, CID, 3),
    # A close_notify alert to us, AES-128-GCM, no padding.
    ("kt_cid_gcm128_close", "gcm", h("11111111222222223333333344444444"),
     h("deadbeef"), 2, 3, 21, h("0100"), CID, 0),
    # What the kernel seals to a client whose CID is PEER_CID: seq 42.
    ("kt_cid_ccm8_out", "ccm8", h("000102030405060708090a0b0c0d0e0f"),
     h("a0a1a2a3"), 1, 42, 23, GET, PEER_CID, 0),
    # ...and to one whose CID is the longest there is, 255 bytes.
    ("kt_cid_ccm_out255", "ccm", h("f0e1d2c3b4a5968778695a4b3c2d1e0f"),
     h("01020304"), 1, 1, 23, GET, bytes(range(255)), 0),
]


def main():
    check_published()
    print("/* Made by tests/dtls-vectors.py (python3-cryptography). */")
    for name, suite, key, salt, epoch, seq, ctype, plain, explicit in RECORDS:
        print("/* %s: epoch %d, seq %d, type %d, %d bytes of plaintext */"
              % (suite, epoch, seq, ctype, len(plain)))
        print(c_array(name, record(suite, key, salt, epoch, seq, ctype, plain,
                                   explicit)))
    for name, suite, key, salt, epoch, seq, ctype, plain, cid, zeros in CID_RECORDS:
        print("/* %s, tls12_cid: epoch %d, seq %d, real type %d, %d bytes of "
              "plaintext, %d of cid, %d zeros */"
              % (suite, epoch, seq, ctype, len(plain), len(cid), zeros))
        print(c_array(name, record_cid(suite, key, salt, epoch, seq, ctype,
                                       plain, cid, zeros)))
    # A DTLSInnerPlaintext of zeros only: no real type (section 4), invalid.
    print("/* ccm8, tls12_cid: epoch 1, seq 10, 4 zero bytes as inner plaintext */")
    print(c_array("kt_cid_ccm8_zeros",
                  record_cid("ccm8", h("000102030405060708090a0b0c0d0e0f"),
                             h("a0a1a2a3"), 1, 10, 0, b"", CID, inner=bytes(4))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
