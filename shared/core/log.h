/* Logging, OpenBSD vocabulary. Never log phone numbers, bodies, keys, tokens or Authorization. */
#ifndef HG_LOG_H
#define HG_LOG_H

enum log_level { LOG_LVL_WARN = 0, LOG_LVL_INFO = 1, LOG_LVL_DEBUG = 2 };

/** Messages above this level are dropped (cheap check before formatting). */
extern int log_verbosity;
/** Prefix every line with this program name. */
void log_init(const char *progname, int verbosity);

void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));  /* appends strerror */
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
