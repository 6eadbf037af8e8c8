#!/usr/bin/env python3
"""engine_seeds.py — writes the seed corpus of fuzz_engine.c into tests/fuzz/corpus/engine/.

One seed per class of the engine's decision table: every methods value x token state x
totp_unenrolled x otp_mode, then the policies (networks, disabled, locked, reset, ppolicy), the
API-key rules, account_check and change_password, failure schedules and allocation failures.
The byte layout is fuzz_engine.c's struct input; the meaning of each byte is documented there
(write_config, build_account, build_token, build_request). Run it from anywhere:
    python3 tests/fuzz/engine_seeds.py
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus", "engine")

# raw string slots, in fuzz_engine.c's order
R_PW_HASH, R_NET, R_USER, R_PASSWORD, R_CODE, R_RHOST, R_SECRET, R_LAST, R_KEYREC, R_NEWPW, R_FAILTIME, R_MISC = range(12)

METHODS = ["password", "password+totp", "password+totp apikey", "password password+totp", "apikey", "totp",
           "password apikey", "totp+password", "totp password+totp", "apikey password+totp password"]

# cfg[1] bits
APPEND, ALLOW, BIND, NOREHASH, KEYFILE, CN, RESET, SECTION = (1 << i for i in range(8))
# acct[0] bits
EXISTS, DUP, DISABLED, NOTDISABLED, PPOLICY, RESETREQ, PWDRESET, LINK = (1 << i for i in range(8))
# statuses in the schedule
NONE, FAILED, CONFLICT, NO_ENTRY, BAD_CRED, REFUSED, TWIN, UNREACHABLE = 0, 4, 5, 6, 7, 0x87, 0x85, 0x84


def seed(op=0, methods=1, cfg1=0, cfg2=0, cfg3=0, clock=0x1234,
         acct0=EXISTS | LINK, pw=1, nets=0, fails=0, changed=0, recovery=0, keys=0, uid=0,
         tok0=1, last=0, params2=0, params3=0,
         user=0, service=0, password=0, code=0, ask=1, rhost=0, change=0,
         sched=(), alloc_at=0, alloc_mode=0, raw=None):
    b = bytes([op, methods, cfg1, cfg2, cfg3]) + struct.pack(">H", clock)
    b += bytes([acct0, pw, nets, fails, changed, recovery, keys, uid])
    b += bytes([tok0, last, params2, params3])
    b += bytes([user | (service << 3), password, code, ask, rhost, change])
    s = list(sched) + [NONE] * (8 - len(sched))
    b += bytes(s[:8])
    b += struct.pack(">H", alloc_at) + bytes([alloc_mode])
    raw = raw or {}
    for i in range(12):
        v = raw.get(i, b"")
        if isinstance(v, str):
            v = v.encode()
        b += bytes([len(v)]) + v
    return b


def main():
    os.makedirs(OUT, exist_ok=True)
    # regress-*: inputs the fuzzer found (each reproduces a fixed bug); kept as they are
    for f in os.listdir(OUT):
        if not f.startswith("regress-"):
            os.unlink(os.path.join(OUT, f))
    seeds = {}

    # methods x token state x totp_unenrolled x otp_mode
    for mi, _ in enumerate(METHODS):
        for token in ("none", "usable", "dangling"):
            for allow in (False, True):
                for append in (False, True):
                    acct0 = EXISTS | (0 if token == "none" else LINK)
                    tok0 = {"none": 0, "usable": 1, "dangling": 0}[token]
                    cfg1 = (ALLOW if allow else 0) | (APPEND if append else 0)
                    name = "m%d-%s-%s-%s" % (mi, token, "allow" if allow else "deny", "append" if append else "prompt")
                    seeds[name] = seed(methods=mi, cfg1=cfg1, acct0=acct0, tok0=tok0,
                                       password=2 if append else 0, ask=0 if append else 1)

    # the password alone and the code
    seeds["pw-wrong-prompt"] = seed(password=4)
    seeds["pw-wrong-append"] = seed(cfg1=APPEND, password=5, ask=0)
    seeds["pw-empty"] = seed(password=6)
    seeds["pw-null"] = seed(password=7)
    seeds["pw-prefix"] = seed(password=14)
    seeds["pw-code-extra"] = seed(cfg1=APPEND, password=15, ask=0)
    seeds["pw-raw"] = seed(password=10, raw={R_PASSWORD: "hunter2hunter2"})
    for i, kind in enumerate(["none", "argon2id0", "argon2id1", "ssha", "crypt", "raw", "two", "argon2i"]):
        seeds["hash-" + kind] = seed(methods=0, pw=i, raw={R_PW_HASH: "{MD5}Xr4ilOzQ4PCOq3aQ0qbuaQ=="})
        seeds["hash-bind-" + kind] = seed(methods=0, cfg1=BIND, pw=i | 8)
    seeds["hash-ssha-norehash"] = seed(methods=0, cfg1=NOREHASH, pw=3)
    for c in range(16):
        seeds["code-%d-prompt" % c] = seed(code=c, raw={R_CODE: "12345678"})
        seeds["code-%d-append" % c] = seed(cfg1=APPEND, password=2, ask=0, code=c)
    seeds["code-replayed"] = seed(code=0, last=128)
    seeds["code-last-before"] = seed(code=0, last=127)
    seeds["code-last-raw"] = seed(code=0, last=255, raw={R_LAST: "18446744073709551616"})
    # another login used the same code (or recovery code) first: its write is there, this one lost
    seeds["code-twin-prompt"] = seed(code=0, sched=[NONE, NONE, TWIN])
    seeds["code-twin-append"] = seed(cfg1=APPEND, password=2, ask=0, sched=[NONE, NONE, TWIN])
    seeds["recovery-twin"] = seed(code=7, recovery=1, sched=[NONE, NONE, TWIN])
    # a phantom conflict (nothing changed): read again, pinned, and decided once more
    seeds["code-conflict-reread"] = seed(code=0, sched=[NONE, NONE, CONFLICT])
    seeds["code-conflict-reread-failed"] = seed(code=0, sched=[NONE, NONE, CONFLICT, FAILED])
    seeds["code-conflict-three-times"] = seed(code=0, sched=[NONE, NONE, CONFLICT, NONE, CONFLICT, NONE, CONFLICT])
    seeds["recovery-conflict-reread"] = seed(code=7, recovery=1, sched=[NONE, NONE, CONFLICT])
    seeds["ask-refuses"] = seed(ask=2)
    seeds["ask-no-answer"] = seed(ask=3)
    seeds["recovery-prompt"] = seed(code=7, recovery=3)
    seeds["recovery-append"] = seed(cfg1=APPEND, password=13, ask=0, recovery=1)
    seeds["recovery-malformed"] = seed(code=7, recovery=8)
    seeds["recovery-raw"] = seed(code=8, recovery=4, raw={R_MISC: "qrst$junk"})
    for d in range(8):
        seeds["params-digits-%d" % d] = seed(tok0=1 | 16 | 32, params2=d | (1 << 3), params3=1 | (2 << 3))
    for a in range(6):
        seeds["params-alg-%d" % a] = seed(tok0=1 | 16 | 32, params2=2 | (a << 3), params3=1 | (2 << 3))
    for p in range(6):
        seeds["params-period-%d" % p] = seed(cfg1=APPEND, password=2, ask=0, tok0=1 | 16 | 32, params2=1,
                                             params3=p | (2 << 3))
    for w in range(6):
        seeds["params-window-%d" % w] = seed(code=2, tok0=1 | 16 | 32, params2=1, params3=1 | (w << 3))
    # HOTP (tok0 bit 7): counters from HOTP_BASE, look-ahead from tok3 bits 3-5, SHA1 only
    HOTP = 128
    for c in range(6):
        seeds["hotp-code-%d" % c] = seed(tok0=1 | HOTP, last=128, code=c)
        seeds["hotp-code-%d-append" % c] = seed(cfg1=APPEND, password=2, ask=0, tok0=1 | HOTP, last=128, code=c)
    seeds["hotp-never-used"] = seed(tok0=1 | HOTP, code=0)
    seeds["hotp-lookahead-0"] = seed(tok0=1 | HOTP | 16 | 32, params2=1, params3=1 << 3, last=128, code=2)
    seeds["hotp-lookahead-3"] = seed(tok0=1 | HOTP | 16 | 32, params2=1, params3=3 << 3, last=128, code=4)
    seeds["hotp-lookahead-11"] = seed(tok0=1 | HOTP | 16 | 32, params2=1, params3=4 << 3, last=128, code=4)
    seeds["hotp-lookahead-bad"] = seed(tok0=1 | HOTP | 16 | 32, params2=1, params3=5 << 3, last=128)
    seeds["hotp-sha256-refused"] = seed(tok0=1 | HOTP | 16 | 32, params2=1 | (2 << 3), last=128)
    seeds["hotp-8-digits"] = seed(tok0=1 | HOTP | 16 | 32, params2=2, last=128, code=0)
    seeds["hotp-counter-raw"] = seed(tok0=1 | HOTP, last=255, raw={R_LAST: "9223372036854775807"})
    seeds["hotp-twin"] = seed(tok0=1 | HOTP, last=128, sched=[NONE, NONE, TWIN])
    seeds["hotp-conflict-reread"] = seed(tok0=1 | HOTP, last=128, sched=[NONE, NONE, CONFLICT])
    # a second token linked by sendsecToken (acct7 bit 4), its code (req2 bit 4)
    SPARE = 16
    seeds["spare-only"] = seed(acct0=EXISTS, uid=SPARE, code=16)
    seeds["spare-code"] = seed(uid=SPARE, code=16)
    seeds["spare-first-token-code"] = seed(uid=SPARE, code=0)
    seeds["spare-append-8-and-6"] = seed(cfg1=APPEND, password=2, ask=0, uid=SPARE, code=16,
                                         tok0=1 | 16 | 32, params2=2)
    seeds["spare-append-8-and-6-first"] = seed(cfg1=APPEND, password=2, ask=0, uid=SPARE, code=0,
                                               tok0=1 | 16 | 32, params2=2)
    seeds["spare-keyfile"] = seed(cfg1=KEYFILE, uid=SPARE, code=16, tok0=1 | (1 << 1))
    seeds["spare-with-hotp"] = seed(uid=SPARE, code=16, tok0=1 | HOTP, last=128)
    seeds["spare-first-broken"] = seed(uid=SPARE, code=16, tok0=1 | 16)
    # delegation: a shared account (acct5 bits 4-7) and the SASL authzid (req5 bits 4-6)
    for shared in (0, 16, 16 | 32, 16 | 32 | 64, 16 | 32 | 128):
        for az in range(8):
            seeds["delegate-%02x-az%d" % (shared, az)] = seed(methods=0, recovery=shared, change=az << 4,
                                                             raw={R_MISC: "newsletter"})
    seeds["delegate-cn"] = seed(methods=0, cfg1=CN, uid=4, recovery=16 | 32, change=1 << 4)
    seeds["delegate-key"] = seed(methods=2, keys=1, password=8, user=2, recovery=16 | 32, change=1 << 4)
    seeds["delegate-key-own-name"] = seed(methods=2, keys=1, password=8, user=2, change=6 << 4,
                                          raw={R_MISC: "alice"})
    seeds["delegate-totp"] = seed(recovery=16 | 32, change=1 << 4)
    seeds["delegate-search-fails"] = seed(methods=0, recovery=16 | 32, change=1 << 4, sched=[NONE, NONE, FAILED])
    seeds["token-params-missing"] = seed(tok0=1 | 16)
    for s in range(8):
        seeds["secret-%d" % s] = seed(cfg1=KEYFILE, tok0=1 | (s << 1), raw={R_SECRET: "shortsecret"})
    seeds["secret-sealed-nokey"] = seed(tok0=1 | (1 << 1))

    # policy
    for r in range(8):
        seeds["net-rhost-%d" % r] = seed(methods=0, rhost=r, nets=4, raw={R_RHOST: "2001:db8:1::9"})
    for n in range(8):
        seeds["net-acct-%d" % n] = seed(methods=0, rhost=5, nets=n,
                                        raw={R_NET: "203.0.113.0/24", R_RHOST: "203.0.113.9"})
    for s in range(4):
        seeds["net-service-%d" % s] = seed(methods=0, cfg2=s, rhost=1)
    seeds["disabled"] = seed(acct0=EXISTS | LINK | DISABLED)
    seeds["disabled-false"] = seed(acct0=EXISTS | LINK | NOTDISABLED)
    seeds["ppolicy-locked"] = seed(acct0=EXISTS | LINK | PPOLICY)
    seeds["ppolicy-locked-binds"] = seed(acct0=EXISTS | LINK, uid=8)
    seeds["ppolicy-key"] = seed(methods=2, acct0=EXISTS | PPOLICY, keys=1, password=8, user=2)
    seeds["ppolicy-key-binds"] = seed(methods=2, acct0=EXISTS, keys=1, password=8, user=2, uid=8)
    seeds["ppolicy-account"] = seed(op=1, acct0=EXISTS | PPOLICY)
    for t, i, f in ((1, 0, 0x01), (2, 0, 0x03), (2, 0, 0x2b), (2, 1, 0x0b), (2, 2, 0x43), (3, 0, 0x05), (3, 0, 0x1d),
                    (3, 1, 0x65), (3, 3, 0x07), (0, 0, 0x07), (2, 0, 0x81), (3, 2, 0x64)):
        seeds["lockout-t%d-i%d-f%02x" % (t, i, f)] = seed(methods=0, cfg2=(t << 2) | (i << 4), fails=f,
                                                          raw={R_FAILTIME: "20250615150000Z"})
    # per source (older values count for source "-", a login without an address) and per account
    for r in (0, 1, 3):
        seeds["lockout-source-rhost%d" % r] = seed(methods=0, cfg2=2 << 2, fails=0x05, rhost=r)
        seeds["lockout-account-rhost%d" % r] = seed(methods=0, cfg2=3 << 2, cfg3=128, fails=0x05, rhost=r)
    seeds["lockout-wrong-pw-tagged"] = seed(methods=0, cfg2=2 << 2, fails=0x01, password=4, rhost=1)
    seeds["lockout-wrong-pw-bind"] = seed(methods=0, cfg1=BIND, cfg2=2 << 2, fails=0x01, password=4, rhost=1)
    seeds["lockout-record-write-fails"] = seed(methods=0, cfg2=2 << 2, sched=[NONE, FAILED])
    seeds["lockout-record-write-conflict"] = seed(methods=0, cfg2=2 << 2, sched=[NONE, CONFLICT])
    seeds["lockout-readback-fails"] = seed(methods=0, cfg2=2 << 2, sched=[NONE, NONE, FAILED])
    seeds["lockout-wrong-pw"] = seed(methods=0, cfg2=2 << 2, fails=2, password=4)
    seeds["reset-flag"] = seed(acct0=EXISTS | LINK | RESETREQ)
    seeds["reset-pwdreset"] = seed(acct0=EXISTS | LINK | PWDRESET)
    for c in range(8):
        seeds["reset-before-%d" % c] = seed(methods=0, cfg1=RESET, changed=c, raw={R_MISC: "20250601000000Z"})
    seeds["unknown-user"] = seed(user=3)
    seeds["no-account"] = seed(acct0=0)
    seeds["dup-account"] = seed(acct0=EXISTS | DUP)
    seeds["user-case"] = seed(user=1, uid=1)
    seeds["user-raw"] = seed(user=4, uid=3, raw={R_USER: "b\u00f6b", R_MISC: "B\u00d6B"})
    seeds["user-empty"] = seed(user=5)
    seeds["user-null"] = seed(user=6)
    seeds["user-attr-cn"] = seed(methods=0, cfg1=CN, uid=4)
    seeds["user-attr-cn-missing"] = seed(methods=0, cfg1=CN)
    seeds["user-attr-cn-missing-reset"] = seed(methods=0, cfg1=CN, acct0=EXISTS | RESETREQ)
    seeds["user-attr-cn-missing-account"] = seed(op=1, cfg1=CN, acct0=EXISTS | RESETREQ)
    seeds["no-uid"] = seed(uid=2)
    seeds["section-sshd"] = seed(cfg1=SECTION)
    seeds["section-smtp"] = seed(cfg1=SECTION, service=1)
    seeds["broken-smtp"] = seed(cfg2=128, service=1)
    seeds["override-append"] = seed(cfg3=1, password=2, ask=1)
    seeds["override-allow"] = seed(cfg3=2, acct0=EXISTS)
    seeds["override-broken"] = seed(cfg3=3)
    seeds["service-raw"] = seed(service=3, raw={R_MISC: "imap"})

    # API keys
    for kk in range(8):
        for s in range(2):
            seeds["key-%d-svc%d" % (kk, s)] = seed(methods=2, keys=kk, password=8, user=2, service=s, rhost=1,
                                                   raw={R_KEYREC: "v1;id=broken"})
    seeds["key-own-name"] = seed(methods=2, keys=1, password=8, user=0)
    seeds["key-other-user"] = seed(methods=2, keys=1, password=8, user=3)
    seeds["key-no-keyid"] = seed(methods=2, keys=1 | 8, password=8, user=2)
    seeds["key-1-wrong-hash"] = seed(methods=2, keys=1 | 16, password=9, user=2)
    seeds["key-later"] = seed(methods=2, keys=1 | 32, password=8, user=2)
    seeds["key-not-a-method"] = seed(methods=1, keys=1, password=8, user=2)
    seeds["key-disabled-account"] = seed(methods=2, acct0=EXISTS | DISABLED, keys=1, password=8, user=2)
    # idle keys (apikey_max_idle, cfg3 bits 2-3) and last-use writes (apikey_touch_interval, bits 4-5)
    key = dict(methods=2, password=8, user=2)
    seeds["key-idle-1day-never-used"] = seed(cfg3=1 << 2, keys=1, **key)
    seeds["key-idle-30-used-recently"] = seed(cfg3=2 << 2, keys=1 | (1 << 6), **key)
    seeds["key-idle-30-used-long-ago"] = seed(cfg3=2 << 2, keys=1 | (2 << 6), **key)
    seeds["key-touch-every-login"] = seed(cfg3=1 << 4, keys=1 | (1 << 6), **key)
    seeds["key-touch-due"] = seed(keys=1 | (1 << 6), **key)
    seeds["key-touch-not-due"] = seed(cfg3=2 << 4, keys=1 | (1 << 6), **key)
    seeds["key-touch-failed"] = seed(keys=1, sched=[NONE, FAILED], **key)
    seeds["key-touch-conflict"] = seed(keys=1, sched=[NONE, CONFLICT], **key)
    seeds["key-touch-twin"] = seed(keys=1, sched=[NONE, TWIN], **key)
    seeds["key-touch-two-records"] = seed(keys=7 | 16, **key)
    # read_uri (cfg3 bit 6): the key search on the replica, on the providers when no replica answers
    seeds["key-replica"] = seed(cfg3=64, keys=1, **key)
    seeds["key-replica-unreachable"] = seed(cfg3=64, keys=1, sched=[UNREACHABLE], **key)
    seeds["key-replica-failed"] = seed(cfg3=64, keys=1, sched=[FAILED], **key)
    seeds["key-replica-no-entry"] = seed(cfg3=64, keys=1, sched=[NO_ENTRY], **key)
    seeds["key-replica-both-unreachable"] = seed(cfg3=64, keys=1, sched=[UNREACHABLE, UNREACHABLE], **key)
    seeds["password-with-replica"] = seed(cfg3=64)
    seeds["key-network"] = seed(methods=2, keys=5, password=8, user=2, rhost=4)

    # account_check and change_password
    for a0 in (EXISTS, EXISTS | DISABLED, EXISTS | RESETREQ, 0, EXISTS | DUP):
        for r in (0, 1, 4):
            seeds["acct-%02x-r%d" % (a0, r)] = seed(op=1, acct0=a0, rhost=r, nets=1)
    seeds["acct-section-smtp"] = seed(op=1, cfg1=SECTION, service=1)
    for o in range(4):
        for n in range(4):
            seeds["change-o%d-n%d" % (o, n)] = seed(op=2, change=o | (n << 2), raw={R_NEWPW: "fuzzed new password"})
        seeds["change-o%d-bind" % o] = seed(op=2, cfg1=BIND, change=o)
    seeds["change-short-allowed"] = seed(op=2, cfg2=64, change=1 | (1 << 2))
    # the directory's policy refuses the new password (bind mode): denied with reason password_refused
    seeds["change-bind-policy-refused"] = seed(op=2, cfg1=BIND, change=1, sched=[NONE, NONE, REFUSED])
    seeds["change-locked"] = seed(op=2, acct0=EXISTS | PPOLICY, change=1)
    seeds["change-reset"] = seed(op=2, acct0=EXISTS | RESETREQ, change=1)

    # directory failures on each operation of the main paths
    for path, kw in (("prompt", {}), ("append", {"cfg1": APPEND, "password": 2, "ask": 0}),
                     ("bind", {"cfg1": BIND}), ("recovery", {"code": 7, "recovery": 1}),
                     ("nocode", {"methods": 0, "fails": 1}), ("key", {"methods": 2, "keys": 1, "password": 8, "user": 2}),
                     ("change", {"op": 2, "change": 1}), ("changebind", {"op": 2, "change": 1, "cfg1": BIND}),
                     ("account", {"op": 1})):
        for i in range(4):
            for st in (FAILED, CONFLICT):
                seeds["fail-%s-op%d-%02x" % (path, i, st)] = seed(sched=[NONE] * i + [st], **kw)
        for st in (NO_ENTRY, BAD_CRED, REFUSED):
            seeds["fail-%s-op1-%02x" % (path, st)] = seed(sched=[NONE, st], **kw)
        # allocation failures in the decision: the n-th, and the n-th and every one after
        for n in (2, 6, 20, 50):
            seeds["alloc-%s-%d" % (path, n)] = seed(alloc_at=n, **kw)
        seeds["alloc-%s-after-10" % path] = seed(alloc_at=10, alloc_mode=1, **kw)
    # allocation failures while the context is made
    for n in (1, 10, 30):
        seeds["alloc-ctx-%d" % n] = seed(alloc_at=n, alloc_mode=2)

    for name, data in sorted(seeds.items()):
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
    print("%d seeds in %s" % (len(seeds), OUT))


if __name__ == "__main__":
    main()
