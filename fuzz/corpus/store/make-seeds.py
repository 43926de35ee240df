#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# Writes the seed programs for fuzz-store (format in fuzz/fuzz-store.c):
# each seed is a valid program that exercises one area of the store.
import os
import struct

def s(text):
    b = text.encode() if isinstance(text, str) else text
    if len(b) >= 255:
        return bytes([255]) + struct.pack('<H', len(b)) + b
    return bytes([len(b)]) + b

def i(v):
    return struct.pack('<h', v)

def blob(b):
    return bytes([len(b)]) + b

def op(family, sub):
    return bytes([family + 5 * sub])

NONE = b'\x00'  # a missing (NULL) string
user_add = lambda upn: (op(0, 0) + s(upn) + s('User') +
                        s('$argon2id$v=19$m=65536,t=3,p=1$c2FsdA$aGFzaA') +
                        blob(b'\x01\x02\x03') + b'\x01')

seeds = {
    'users': user_add('alice@example.com') + user_add('ALICE@example.com') +
             op(0, 1) + i(1) + op(0, 2) + i(1) + NONE + blob(b'') +
             op(0, 3) + i(1) + s('alice') + s('S-1-5-21-1-2-3-1104') +
             op(0, 4) + i(1) + i(100) + op(0, 4) + i(1) + i(99),
    'groups': user_add('bob@example.com') + op(1, 0) + s('Hello Users') +
              op(1, 1) + i(1) + i(1) + op(1, 1) + i(1) + i(1) +
              op(1, 4) + i(1) + s('hello users') + i(1) + i(10) +
              op(1, 2) + i(1) + i(1) + op(1, 3) + i(1),
    'devices': user_add('carol@example.com') +
               op(2, 0) + s('dev-1') + s('laptop') + s('Debian 12') +
               s('Linux') + i(1) + s('AABBCC') + blob(b'\x30\x03\x02\x01\x00') +
               op(2, 3) + s('kid1') + i(1) + s('dev-1') + s('rsa') +
               blob(b'RSA1') + op(2, 4) + i(1) +
               op(2, 1) + s('dev-1') + s('aabbcc') + op(2, 2) + s('dev-1'),
    'krb': op(3, 0) + s('Corp.Example.com') + s('CORP.EXAMPLE.COM') +
           s('dc1') + i(7) + blob(b'sealed-key') + i(18) + i(1) +
           op(3, 0) + s('b.example.com') + s('B') + s('dc') + i(1) +
           blob(b'k') + i(17) + i(2) +
           op(3, 1) + blob(b'new-key') + i(2) + s('corp.example.com') +
           op(3, 2) + s('CORP.example.com'),
    'state': user_add('dave@example.com') + op(1, 0) + s('G') +
             op(1, 1) + i(1) + i(1) +
             op(4, 0) + i(1) + i(0) + s('./Device/Vendor/MSFT/Policies/A') + s('false') +
             op(4, 0) + i(1) + i(1) + s('./Device/Vendor/MSFT/Policies/A') + s('true') +
             op(4, 1) + b'\x07' + i(1000) + i(2000) +
             op(4, 2) + s('upn:dave') + i(10) + i(5) +
             op(4, 3) + s('dave@example.com') + s('prt.issue') + s('grant') +
             s('line one\nline two') + i(5) + i(10) +
             op(4, 4) + blob(b'sealed') + s('device-ca-key') + s('device-ca-key') +
             s('example.com'),
    'invalid': op(0, 0) + s(b'bad\xff\xfe') + s('x') + NONE + blob(b'') + b'\x00' +
               op(0, 0) + s('a' * 1100) + s('x') + NONE + blob(b'') + b'\x00' +
               op(0, 0) + s('tab\there') + s('x') + NONE + blob(b'') + b'\x00' +
               op(4, 4) + blob(b'') + s('x') + s('x') + s('bad_domain..') +
               op(3, 0) + s('not a domain') + s('R') + s('f') + i(0) +
               blob(b'') + i(0) + i(-1),
}

here = os.path.dirname(os.path.abspath(__file__))
for name, data in seeds.items():
    with open(os.path.join(here, 'seed-' + name), 'wb') as f:
        f.write(data)
