/* utf8.h — the one rule for UTF-8 text (RFC 3629): well-formed sequences only, so no overlong
 * forms, no surrogates (U+D800..U+DFFF) and nothing above U+10FFFF; plus which code points are
 * control characters. The config parser, the SASL message parser, the directory's user-name check
 * and the audit line all use it. No allocation, no locale; lengths are given, never a NUL. */
#ifndef SENDSEC_UTF8_H
#define SENDSEC_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Reads the sequence at s, of which n bytes may be read. Returns its length (1..4) and stores the
 * code point in *cp_out, or returns 0 (*cp_out untouched) when s does not start a well-formed
 * sequence within n bytes. U+0000 is a well-formed one-byte sequence. */
size_t sendsec_utf8_decode(const char *s, size_t n, uint32_t *cp_out);

/* True when the n bytes at s are well-formed UTF-8 (n == 0 is). NUL bytes are well-formed; a
 * caller that refuses them says so. */
bool sendsec_utf8_is_valid(const char *s, size_t n);

/* True when cp is a control character: C0 (U+0000..U+001F, tab included), DEL (U+007F) or C1
 * (U+0080..U+009F). */
bool sendsec_utf8_is_control(uint32_t cp);

/* True when the n bytes at s hold a control character (as sendsec_utf8_is_control). Bytes that
 * are not well-formed are skipped, not counted: check sendsec_utf8_is_valid as well. */
bool sendsec_utf8_has_control(const char *s, size_t n);

#endif
