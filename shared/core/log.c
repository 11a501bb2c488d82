/* Log lines go to stderr (collected by the web server or the relay's supervisor). */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int log_verbosity = LOG_LVL_INFO;
static const char *log_prog = "heliograph";

void
log_init(const char *progname, int verbosity)
{
    log_prog = progname;
    log_verbosity = verbosity;
}

static void
vlog(const char *tag, const char *fmt, va_list ap, const char *suffix)
{
    char line[1024];
    struct timespec ts;
    struct tm tm;

    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    vsnprintf(line, sizeof(line), fmt, ap);
    fprintf(stderr, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s %s: %s%s%s\n", tm.tm_year + 1900,
            tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000,
            log_prog, tag, line, suffix ? ": " : "", suffix ? suffix : "");
}

#define LOG_BODY(tag, suffix)                                                                      \
    do {                                                                                           \
        va_list ap;                                                                                \
        va_start(ap, fmt);                                                                         \
        vlog(tag, fmt, ap, suffix);                                                                \
        va_end(ap);                                                                                \
    } while (0)

void
log_warn(const char *fmt, ...)
{
    const char *s = strerror(errno);

    LOG_BODY("warn", s);
}

void
log_warnx(const char *fmt, ...)
{
    LOG_BODY("warn", NULL);
}

void
log_info(const char *fmt, ...)
{
    if (log_verbosity < LOG_LVL_INFO)
        return;
    LOG_BODY("info", NULL);
}

void
log_debug(const char *fmt, ...)
{
    if (log_verbosity < LOG_LVL_DEBUG)
        return;
    LOG_BODY("debug", NULL);
}

void
fatal(const char *fmt, ...)
{
    const char *s = strerror(errno);

    LOG_BODY("fatal", s);
    exit(1);
}

void
fatalx(const char *fmt, ...)
{
    LOG_BODY("fatal", NULL);
    exit(1);
}
