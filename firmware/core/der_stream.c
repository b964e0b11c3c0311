#include "der_stream.h"

enum { DS_START, DS_DER, DS_FIND_BEGIN, DS_SKIP_LINE, DS_BODY, DS_PAD, DS_END, DS_DONE, DS_BAD };

static const char k_begin[] = "-----BEGIN";
static const char k_end[] = "-----END";

void der_stream_init(der_stream_t *d, uint8_t *out, size_t max)
{
    d->out = out;
    d->max = max;
    d->len = 0;
    d->state = DS_START;
    d->match = 0;
    d->acc = 0;
    d->bits = 0;
    d->overflow = false;
}

static int b64(uint8_t c)
{
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    return c == '+' ? 62 : (c == '/' ? 63 : -1);
}

static int emit(der_stream_t *d, uint8_t b)
{
    if (d->len >= d->max) {
        d->overflow = true;
        return -1;
    }
    d->out[d->len++] = b;
    return 0;
}

int der_stream_put(void *ctx, const uint8_t *p, size_t n)
{
    der_stream_t *d = ctx;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = p[i];
        switch (d->state) {
        case DS_START:
            d->state = c == 0x30 ? DS_DER : DS_FIND_BEGIN;
            i--; /* this byte again, in its state */
            break;
        case DS_DER:
            if (emit(d, c) != 0) {
                return -1;
            }
            break;
        case DS_FIND_BEGIN:
            if ((uint8_t)k_begin[d->match] == c) {
                if (++d->match == sizeof k_begin - 1) {
                    d->state = DS_SKIP_LINE;
                }
            } else if (c == '-') {
                d->match = d->match >= 5 ? 5 : 1; /* a longer run of dashes still ends in five */
            } else {
                d->match = 0;
            }
            break;
        case DS_SKIP_LINE:
            if (c == '\n') {
                d->state = DS_BODY;
            }
            break;
        case DS_BODY: {
            int v = b64(c);
            if (v >= 0) {
                d->acc = (d->acc << 6) | (uint32_t)v;
                d->bits = (uint8_t)(d->bits + 6u);
                if (d->bits >= 8u) {
                    d->bits = (uint8_t)(d->bits - 8u);
                    if (emit(d, (uint8_t)(d->acc >> d->bits)) != 0) {
                        return -1;
                    }
                }
            } else if (c == '=') {
                d->state = DS_PAD;
            } else if (c == '-') {
                d->state = DS_END;
                d->match = 1;
            } else if (c != '\r' && c != '\n' && c != ' ' && c != '\t') {
                d->state = DS_BAD; /* e.g. "Proc-Type: 4,ENCRYPTED" */
            }
            break;
        }
        case DS_PAD:
            if (c == '-') {
                d->state = DS_END;
                d->match = 1;
            } else if (c != '=' && c != '\r' && c != '\n' && c != ' ' && c != '\t') {
                d->state = DS_BAD;
            }
            break;
        case DS_END: /* "-----END" and nothing else ends the body */
            if ((uint8_t)k_end[d->match] != c) {
                d->state = DS_BAD;
            } else if (++d->match == sizeof k_end - 1) {
                d->state = DS_DONE;
            }
            break;
        default: /* DS_DONE, DS_BAD: the rest is not looked at */
            break;
        }
    }
    return 0;
}

int der_stream_end(const der_stream_t *d)
{
    if (d->overflow || d->len == 0) {
        return -1;
    }
    return (d->state == DS_DER || d->state == DS_DONE) ? (int)d->len : -1;
}
