/* core/utf8.h (library-private): UTF-8 validation shared by the text writers. */
#ifndef RTM_CORE_UTF8_H
#define RTM_CORE_UTF8_H

/* Length of the well-formed UTF-8 sequence at p (1 to 4), or 0 when the
 * bytes there are not one (RFC 3629 section 4: no overlong forms, no
 * surrogates U+D800..U+DFFF, nothing above U+10FFFF). p must be
 * NUL-terminated: a NUL ends any sequence as invalid. */
int rtm_utf8_len(const unsigned char *p);

#endif
