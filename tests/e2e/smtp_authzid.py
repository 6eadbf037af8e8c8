#!/usr/bin/env python3
"""smtp_authzid.py HOST:PORT AUTHZID USER PWFILE [MAILFROM [RCPTTO]] - one SMTP AUTH PLAIN with an
authorization identity (RFC 4616: authzid NUL authcid NUL passwd), which swaks (20201014, Debian
12) cannot send: it always leaves the first field empty. The password is the first line of PWFILE
(never argv). Prints the reply code to AUTH, and with MAILFROM the codes to MAIL FROM and RCPT TO
(RCPTTO, default someone@example.net), on one line: "235 250 250". Used by
tests/e2e/test_postfix_sasl.sh and scripts/demo-postfix.sh."""
import base64
import smtplib
import sys


def main():
    if len(sys.argv) not in (5, 6, 7):
        print(__doc__.split("\n")[0], file=sys.stderr)
        return 2
    host, _, port = sys.argv[1].rpartition(":")
    authzid, user = sys.argv[2], sys.argv[3]
    with open(sys.argv[4], encoding="utf-8") as f:
        password = f.readline().rstrip("\n")
    mail_from = sys.argv[5] if len(sys.argv) > 5 else None
    rcpt_to = sys.argv[6] if len(sys.argv) > 6 else "someone@example.net"
    codes = []
    smtp = smtplib.SMTP(host, int(port), local_hostname="client.example.test", timeout=20)
    try:
        smtp.ehlo("client.example.test")
        message = "\0".join((authzid, user, password)).encode("utf-8")
        code, _ = smtp.docmd("AUTH", "PLAIN " + base64.b64encode(message).decode("ascii"))
        codes.append(code)
        if code == 235 and mail_from is not None:
            code, _ = smtp.mail(mail_from)
            codes.append(code)
            if code == 250:
                code, _ = smtp.rcpt(rcpt_to)
                codes.append(code)
        smtp.quit()
    finally:
        smtp.close()
    print(" ".join(str(c) for c in codes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
